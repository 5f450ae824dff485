package dev.vigil.sim.trace;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.sim.csv.CsvFile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Alibaba's 2023 GPU pod list ({@code name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,
 * pod_phase,creation_time,deletion_time,scheduled_time}, times in seconds). Each pod is one job:
 * submitted at {@code creation_time}, running {@code deletion_time - creation_time}.
 * {@code num_gpu} whole GPUs on one node (a multiple of 8 beyond that), or, when {@code gpu_milli}
 * is below 1000, a fraction of one GPU: the smallest MIG slice of an allowed model that covers the
 * fraction, where the cluster has one, else one whole GPU. {@code gpu_spec} lists the allowed
 * models, separated by {@code |}. Pods without GPUs are left out and counted. CPU, memory, QoS,
 * phase and scheduled time are not used: the scheduler places GPUs.
 */
final class AlibabaPods {
    private static final String SHAPE = "the Alibaba 2023 pod list (name,cpu_milli,memory_mib,num_gpu,gpu_milli,"
            + "gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time)";

    private AlibabaPods() {
    }

    static Trace read(CsvFile csv, RuntimeLimitRule rule, MigSlices slices) {
        csv.require(List.of("name", "num_gpu", "gpu_milli", "creation_time", "deletion_time"), SHAPE);
        List<TraceJob> jobs = new ArrayList<>();
        Map<String, Integer> skipped = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        int rows = 0;
        for (CsvFile.Row row = csv.next(); row != null; row = csv.next()) {
            rows++;
            String name = row.get("name");
            if (name.isEmpty() || name.length() > 128 || !names.add(name)) {
                throw row.invalid("name", name, "a pod name of up to 128 characters that no earlier row has");
            }
            int gpus = (int) row.integer("num_gpu", 0, JobSpec.MAX_GPUS_PER_NODE * 4096L);
            long created = row.integer("creation_time", 0, Long.MAX_VALUE / 1000);
            long deleted = row.integer("deletion_time", 0, Long.MAX_VALUE / 1000);
            if (deleted < created) {
                throw row.invalid("deletion_time", row.get("deletion_time"), "a time no earlier than creation_time ("
                        + created + ")");
            }
            if (gpus == 0) {
                skipped.merge("CPU-only pods (num_gpu 0)", 1, Integer::sum);
                continue;
            }
            int milli = (int) row.integer("gpu_milli", 1, 1000);
            if (milli < 1000 && gpus > 1) {
                throw row.invalid("gpu_milli", row.get("gpu_milli"), "1000 when num_gpu is more than 1 (a fraction "
                        + "is of one GPU)");
            }
            List<String> models = row.get("gpu_spec").isEmpty() ? List.of()
                    : Arrays.stream(row.get("gpu_spec").split("\\|")).map(String::strip).filter(m -> !m.isEmpty())
                    .toList();
            Duration runs = Duration.ofSeconds(deleted - created);
            Optional<String> slice = milli < 1000 ? slices.smallestCovering(milli, models) : Optional.empty();
            JobSpec spec;
            try {
                spec = slice.isPresent()
                        ? new JobSpec(name, JobKind.INFERENCE, null, null, null, null, null, null, null, models,
                        slice.get(), 1, null, null, rule.limitFor(runs), runs, null, null, null, null, null)
                        : new JobSpec(name, JobKind.TRAINING, null, null, null, null, gpus, null, null, models, null,
                        null, null, null, rule.limitFor(runs), runs, null, null, null, null, null);
            } catch (InvalidValueException e) {
                throw row.invalid("num_gpu", row.get("num_gpu"), "up to 8 GPUs, or a multiple of 8");
            }
            jobs.add(new TraceJob(name, created * 1000, spec, row.line()));
        }
        return new Trace(csv.file().toString(), TraceFormat.ALIBABA, rows, jobs, skipped);
    }
}
