package dev.vigil.benchmarks;

import dev.vigil.gpu.simulated.NodeProfile;
import dev.vigil.gpu.simulated.SimulatedSpec;

import java.util.ArrayList;
import java.util.List;

import static dev.vigil.benchmarks.EmbeddedFleet.arg;
import static dev.vigil.benchmarks.EmbeddedFleet.await;
import static dev.vigil.benchmarks.EmbeddedFleet.max;
import static dev.vigil.benchmarks.EmbeddedFleet.median;

/**
 * {@code vigil mig set} on an idle simulated node, end to end, as {@code vigil up} runs it (one
 * controller member, the agent in this JVM): a service of seven 1g.10gb replicas waits; GPU 0 is
 * set to {@code all-1g.10gb}; measured from the request to every replica placed on the new slices
 * (the controller closes the GPU, sends the layout in its next reply to the agent, the agent applies
 * it and reports the new inventory at once, the scheduler places the replicas), and to every replica
 * running (the agent confirms at its next report). Between samples the GPU goes back to whole.
 *
 * <p>Usage: {@code scripts/bench-mig.sh [--samples 10] [--profile HGX_H100_8|DGX_A100_8]}
 */
public final class MigSetBenchmark {
    private MigSetBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int samples = Integer.parseInt(arg(args, "--samples", "10"));
        NodeProfile profile = NodeProfile.valueOf(arg(args, "--profile", "HGX_H100_8"));
        try (EmbeddedFleet fleet = new EmbeddedFleet("vigil-mig-", """
                scheduler: {interval: 500ms, backend: simulated}
                """)) {
            fleet.agent("mig-1", SimulatedSpec.of(profile, 1, List.of()));
            System.out.printf("vigil mig set -> slices schedulable: one simulated %s node, %d samples%n", profile,
                    samples);
            List<Double> placed = new ArrayList<>();
            List<Double> running = new ArrayList<>();
            for (int sample = 1; sample <= samples; sample++) {
                String job = fleet.post("/v1/jobs", "{\"name\": \"slices-" + sample + "\", \"kind\": \"inference\", "
                        + "\"replicas\": 7, \"migProfile\": \"1g.10gb\", \"waitForNodes\": true, \"duration\": \"1h\"}")
                        .get("id").asText();
                long asked = System.nanoTime();
                fleet.put("/v1/nodes/mig-1/mig", "{\"config\": \"all-1g.10gb\", \"gpus\": [0], \"reason\": \"bench\"}");
                await(() -> fleet.get("/v1/jobs/" + job).path("placements").size() == 7, 60);
                placed.add((System.nanoTime() - asked) / 1e9);
                await(() -> "running".equals(fleet.get("/v1/jobs/" + job).path("state").asText()), 60);
                running.add((System.nanoTime() - asked) / 1e9);
                System.out.printf("sample %2d: 7 replicas on GPU 0's new slices: placed %.2f s, running %.2f s after "
                        + "the request%n", sample, placed.get(sample - 1), running.get(sample - 1));
                fleet.post("/v1/jobs/" + job + "/cancel", "{\"reason\": \"benchmark sample done\"}");
                fleet.put("/v1/nodes/mig-1/mig", "{\"config\": \"all-disabled\", \"gpus\": [0], \"reason\": \"bench\"}");
                await(() -> "MIG off".equals(fleet.get("/v1/nodes/mig-1/mig").get("gpus").get(0).path("actual").asText())
                        && "success".equals(fleet.get("/v1/nodes/mig-1/mig").get("gpus").get(0).path("change")
                        .path("phase").asText()), 60);
            }
            System.out.printf("vigil mig set -> replicas placed on the new slices:  median %.2f s, max %.2f s%n",
                    median(placed), max(placed));
            System.out.printf("vigil mig set -> replicas running on the new slices: median %.2f s, max %.2f s%n",
                    median(running), max(running));
        }
    }
}
