package dev.vigil.cli;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.mig.GpuLayout;
import dev.vigil.api.mig.GpuMig;
import dev.vigil.api.mig.MigPhase;
import dev.vigil.api.mig.MigRequest;
import dev.vigil.api.mig.NodeMig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@code vigil mig set NODE|--pool P CONFIG}: an operator asks for a MIG layout. */
@Command(name = "set",
        mixinStandardHelpOptions = true,
        customSynopsis = {
                "vigil mig set NODE CONFIG [--gpus N,N] [--drain-timeout DURATION] [--force] [--reason TEXT] [--wait]",
                "       vigil mig set --pool POOL CONFIG [--gpus N,N] [--drain-timeout DURATION] [--force] "
                        + "[--reason TEXT] [--wait]"},
        description = {
                "Put a node's GPUs, or every node's of a pool, into a named MIG config.",
                "",
                "CONFIG is a name from 'vigil mig configs'; the controller refuses one that cannot exist",
                "on a GPU, naming the GPU, the profile and why. --gpus changes only the GPUs listed; the",
                "others keep their layout and their work. The GPUs whose layout changes take no new",
                "work at once; preemptible jobs on them are requeued at once, others get the drain",
                "timeout to finish. A job still there at its end is requeued with --force, else the",
                "change fails. Then the node's agent applies the layout. GPUs already in the layout",
                "are done at once (success). Needs an operator token; the reason goes to the audit log.",
                "",
                "The answer is each GPU's layout and phase, as 'vigil mig show' prints them. --wait",
                "then asks every second and prints each phase change until every changing GPU is in",
                "success or failed; it exits with status 1 if one failed. Ctrl-C stops waiting only:",
                "the change goes on.",
                ""},
        footer = {"", "Examples:",
                "  vigil mig set gpu-017 all-1g.10gb --gpus 6,7 --reason \"inference slices, OPS-1234\" --wait",
                "  vigil mig set gpu-017 all-disabled --drain-timeout 2h --force --reason \"back to whole GPUs\"",
                "  vigil mig set --pool inference all-balanced --reason \"mixed inference sizes\"",
                "  vigil mig show gpu-017                 # where the change is"})
final class MigSetCommand extends ApiCommand {
    @Parameters(paramLabel = "NODE CONFIG", arity = "1..2",
            description = "The node, as 'vigil nodes' lists it, then the config (with --pool: the config only).")
    List<String> arguments;

    @Option(names = "--pool", paramLabel = "POOL", description = "Every node of this pool instead of one node.")
    String pool;

    @Option(names = "--gpus", paramLabel = "N,N", split = ",",
            description = "Only these GPUs (indices, as 'vigil mig show NODE' lists them; default: every GPU).")
    List<Integer> gpus;

    @Option(names = "--drain-timeout", paramLabel = "DURATION",
            description = "How long jobs that may not be preempted get to finish, e.g. 30m, 2h (default: the "
                    + "controller's).")
    String drainTimeout;

    @Option(names = "--force", description = "Requeue the jobs still on a changing GPU when the drain times out "
            + "(else the change fails).")
    boolean force;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, in words, for the audit log.")
    String reason;

    @Option(names = "--wait", description = "Print each phase change until every changing GPU is in success or "
            + "failed; exit 1 if one failed.")
    boolean await;

    /** How often --wait asks; tests shorten it. */
    Duration poll = Duration.ofSeconds(1);

    /** Whether --wait found the controller unavailable (and said so) at its last question. */
    private boolean unavailable;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        String config = arguments.get(arguments.size() - 1);
        if (pool == null && arguments.size() != 2) {
            throw usage("give the node and the config: vigil mig set NODE CONFIG (or --pool POOL CONFIG)");
        }
        if (pool != null && arguments.size() != 1) {
            throw usage("with --pool, give the config only: vigil mig set --pool POOL CONFIG");
        }
        MigRequest request;
        try {
            request = new MigRequest(config, gpus, drainTimeout, force, reason);
        } catch (InvalidValueException e) {
            String option = e.field().equals("config") ? "CONFIG" : "--" + e.field().replaceAll("([A-Z])", "-$1")
                    .toLowerCase();
            throw usage(option + ": \"" + e.value() + "\" is not allowed (allowed: " + e.allowed() + ")");
        }
        String path = pool != null ? "/v1/pools/" + ControllerClient.segment(pool) + "/mig"
                : MigShowCommand.path(arguments.get(0));
        ControllerClient.Answer answer = client.put(path, request);
        if (json() && !await) {
            out.println(answer.pretty());
            return;
        }
        List<NodeMig> nodes = pool != null ? List.of(answer.as(NodeMig[].class)) : List.of(answer.as(NodeMig.class));
        if (!json()) {
            MigShowCommand.print(nodes, pool != null, Instant.now(), out);
        }
        if (await) {
            await(client, nodes, request, out);
        } else if (pool == null) {
            out.printf("%nWhere it is: vigil mig show %s%n", nodes.get(0).node());
        }
    }

    @Override
    String optionFor(String field) {
        return field.equals("drainTimeout") ? "--drain-timeout" : super.optionFor(field);
    }

    private static ControllerClient.Failure usage(String message) {
        return new ControllerClient.Failure(message, ExitCodes.CONFIG, null);
    }

    /** Follows the nodes until every GPU of the change has ended; fails naming the GPUs that failed. */
    private void await(ControllerClient client, List<NodeMig> answered, MigRequest request, PrintWriter out)
            throws Exception {
        Map<String, Set<Integer>> changing = new LinkedHashMap<>();
        for (NodeMig node : answered) {
            Set<Integer> gpus = new TreeSet<>();
            node.gpus().stream().filter(gpu -> ofTheChange(gpu, request)).forEach(gpu -> gpus.add(gpu.gpu()));
            if (!gpus.isEmpty()) {
                changing.put(node.node(), gpus);
            }
        }
        String stopped = "stopped waiting; the change goes on ('vigil mig show" + (pool == null
                ? " " + answered.get(0).node() : "") + "' shows where it is)";
        Thread onCtrlC = new Thread(() -> fail(stopped, ExitCodes.FAILED), "vigil-mig-wait");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            List<String> failed = follow(client, answered, changing, request, out);
            if (!failed.isEmpty()) {
                throw new ControllerClient.Failure(String.join("; ", failed), ExitCodes.FAILED, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControllerClient.Failure(stopped, ExitCodes.FAILED, null);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: Ctrl-C came as the change ended.
            }
        }
    }

    /** A GPU this request changes: one it names (or any), recorded with the config asked. */
    private static boolean ofTheChange(GpuLayout gpu, MigRequest request) {
        return gpu.change() != null && gpu.change().config().equals(request.config())
                && (request.gpus().isEmpty() || request.gpus().contains(gpu.gpu()));
    }

    /** Where one GPU of the change stands, as --wait prints it. */
    private record Progress(String phase, String message, Instant since, boolean ended, boolean failed) {
        static Progress of(GpuLayout gpu, MigRequest request) {
            GpuMig change = gpu.change();
            if (!ofTheChange(gpu, request)) {
                String asked = change == null ? "nothing" : change.config();
                return new Progress("replaced", "the GPU was asked for " + asked + " since", Instant.now(), true, true);
            }
            return new Progress(change.phase().wire(), MigShowCommand.message(change),
                    change.since() == null ? Instant.now() : change.since(),
                    !change.phase().changing(), change.phase() == MigPhase.FAILED);
        }

        String line() {
            return phase + " " + message;
        }
    }

    private List<String> follow(ControllerClient client, List<NodeMig> answered, Map<String, Set<Integer>> changing,
                                MigRequest request, PrintWriter out) throws Exception {
        Table table = new Table("TIME", "NODE", "GPU", "PHASE", "MESSAGE");
        Map<String, String> seen = new HashMap<>();
        Map<String, NodeMig> current = new LinkedHashMap<>();
        answered.forEach(node -> current.put(node.node(), node));
        if (!json()) {
            out.println();
        }
        while (true) {
            List<String> failed = new ArrayList<>();
            boolean ended = true;
            for (Map.Entry<String, Set<Integer>> node : changing.entrySet()) {
                NodeMig now = current.get(node.getKey());
                boolean changed = false;
                for (GpuLayout gpu : now.gpus()) {
                    if (!node.getValue().contains(gpu.gpu())) {
                        continue;
                    }
                    Progress progress = Progress.of(gpu, request);
                    if (!progress.line().equals(seen.put(node.getKey() + "/" + gpu.gpu(), progress.line()))) {
                        changed = true;
                        table.row(Table.time(progress.since()), node.getKey(), gpu.gpu(), progress.phase(),
                                progress.message());
                    }
                    if (progress.failed()) {
                        failed.add("GPU " + gpu.gpu() + " of " + node.getKey() + " " + progress.phase() + ": "
                                + progress.message());
                    }
                    ended &= progress.ended();
                }
                if (changed && json()) {
                    out.println(Documents.json().writeValueAsString(now));
                }
            }
            if (!json()) {
                table.print(out);
            }
            out.flush();
            if (ended) {
                return failed;
            }
            Thread.sleep(poll.toMillis());
            refresh(client, changing.keySet(), current);
        }
    }

    /** Asks for each node again; while the controller is briefly unavailable, says so once and keeps what it had. */
    private void refresh(ControllerClient client, Set<String> nodes, Map<String, NodeMig> current) throws Exception {
        for (String node : nodes) {
            try {
                current.put(node, client.get(MigShowCommand.path(node)).as(NodeMig.class));
                if (unavailable) {
                    spec.commandLine().getErr().println(spec.qualifiedName() + ": the controller answers again");
                    unavailable = false;
                }
            } catch (ControllerClient.Failure e) {
                if (!e.passing()) {
                    throw e;
                }
                if (!unavailable) {
                    fail(e.getMessage() + "; asking again every second", ExitCodes.FAILED);
                    unavailable = true;
                }
            }
        }
    }
}
