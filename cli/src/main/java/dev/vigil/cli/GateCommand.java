package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.slurm.conf.GresConf;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code vigil agent gate --prolog|--epilog}: Slurm's prolog and epilog ask the node's agent about the job's GPUs. */
@Command(name = "gate",
        mixinStandardHelpOptions = true,
        description = {
                "Slurm's prolog and epilog: may a job start on these GPUs, and did it leave them clean.",
                "",
                "Ask this node's agent whether a Slurm job may start on its GPUs (--prolog: every GPU of the job",
                "is healthy) or left them clean (--epilog: no process is left on them). Exit status 0 when so;",
                "otherwise 1 and one line on stderr saying which GPU and why. Slurm drains the node when a prolog",
                "or epilog fails, and puts the job back in the queue after a failed prolog. A process left behind",
                "is named with what the agent's placement check knows of it: user, command, owner (slurm:JOB,",
                "pod:UID, unit:NAME), Vigil job and verdict (allowed, overreach, rogue, system, unjudged).",
                "",
                "The job's GPUs come from $SLURM_JOB_GPUS (else $CUDA_VISIBLE_DEVICES), as Slurm numbers them:",
                "in gres.conf's order, which is PCI bus order as 'vigil slurm gres-conf' writes it. An agent that",
                "does not answer closes the gate: the GPUs could not be checked.",
                "",
                "The epilog then tells the agent that $SLURM_JOB_ID ended, and the agent tells its controller, so",
                "Vigil frees the job's GPUs at once instead of at its next look at Slurm. The agent answers at",
                "once, so the epilog does not wait for the controller (best effort: the exit status does not",
                "depend on it).",
                "",
                "In slurm.conf:",
                "  Prolog=/opt/vigil/bin/vigil-prolog      # a script running: exec vigil agent gate --prolog",
                "  Epilog=/opt/vigil/bin/vigil-epilog      # a script running: exec vigil agent gate --epilog",
                ""},
        footer = {"", "Examples:",
                "  vigil agent gate --prolog",
                "  vigil agent gate --epilog --agent http://127.0.0.1:9400",
                "  vigil agent gate --prolog --gpus 0,1        # check these GPUs (Slurm's numbers)"})
final class GateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    Phase phase;

    static final class Phase {
        @Option(names = "--prolog", required = true, description = "Before the job: are its GPUs healthy?")
        boolean prolog;

        @Option(names = "--epilog", required = true, description = "After the job: are processes left on its GPUs?")
        boolean epilog;
    }

    @Option(names = "--agent", paramLabel = "URL", defaultValue = "http://127.0.0.1:9400",
            description = "The node's agent (default: ${DEFAULT-VALUE}).")
    URI agent;

    @Option(names = "--gpus", paramLabel = "LIST",
            description = "The job's GPUs as Slurm numbers them, e.g. 0,1 (default: $SLURM_JOB_GPUS, else $CUDA_VISIBLE_DEVICES).")
    String gpus;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "How long to wait for the agent (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() {
        String stage = phase.prolog ? "prolog" : "epilog";
        String job = ContextFile.environment.apply("SLURM_JOB_ID");
        String what = "vigil gate: " + stage + (job == null ? "" : " of job " + job);
        Duration wait;
        List<Integer> slurmGpus;
        try {
            wait = HumanDurations.parse(timeout, "--timeout");
            slurmGpus = slurmGpus();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(what + ": " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(wait).build();
        int status = check(http, what, slurmGpus, wait);
        if (phase.epilog && job != null && job.matches("\\d{1,12}")) {
            tellEnded(http, job, wait);
        }
        return status;
    }

    /** Whether the job's GPUs pass this stage's check: an exit status, with the reason on stderr when not. */
    private int check(HttpClient http, String what, List<Integer> slurmGpus, Duration wait) {
        if (slurmGpus.isEmpty()) {
            return ExitCodes.OK;   // a job without GPUs: nothing of ours to check
        }
        try {
            JsonNode node = get(http, "/v1/node", wait);
            NodeInventory inventory = Documents.json().treeToValue(node.get("inventory"), NodeInventory.class);
            List<Integer> order = GresConf.slurmOrder(inventory);
            Set<Integer> indices = new LinkedHashSet<>();
            for (int gpu : slurmGpus) {
                if (gpu >= order.size()) {
                    spec.commandLine().getErr().println(what + " on " + inventory.node() + ": Slurm's GPU " + gpu
                            + " is not on this node: its agent sees " + order.size() + " GPUs");
                    return ExitCodes.FAILED;
                }
                indices.add(order.get(gpu));
            }
            JsonNode statuses = get(http, "/v1/gpus?index=" + indices.stream().map(String::valueOf)
                    .collect(Collectors.joining(",")), wait).get("gpus");
            List<String> problems = new ArrayList<>();
            for (JsonNode status : statuses) {
                String problem = phase.prolog ? unhealthy(status) : leftBehind(status, node.path("placement"));
                if (problem != null) {
                    problems.add(problem);
                }
            }
            if (problems.isEmpty()) {
                return ExitCodes.OK;
            }
            spec.commandLine().getErr().println(what + " on " + inventory.node() + ": " + String.join("; ", problems));
            return ExitCodes.FAILED;
        } catch (IOException e) {
            spec.commandLine().getErr().println(what + ": the agent at " + agent + " did not answer: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + " (the GPUs could not be checked)");
            return ExitCodes.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILED;
        }
    }

    /**
     * Tells the agent, which tells the controller, that the job ended, so Vigil frees its GPUs
     * without waiting for its next look at Slurm. A hint: whatever goes wrong is ignored (the
     * controller's poll finds the end anyway) and never changes the exit status.
     */
    private void tellEnded(HttpClient http, String job, Duration wait) {
        try {
            http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/slurm/jobs/" + job + "/ended")).timeout(wait)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // the poll finds it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String base() {
        String url = agent.toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The job's GPUs in Slurm's numbers: the option, else Slurm's variables. */
    private List<Integer> slurmGpus() {
        String list = gpus;
        String source = "--gpus";
        for (String variable : List.of("SLURM_JOB_GPUS", "CUDA_VISIBLE_DEVICES")) {
            if (list == null || list.isBlank()) {
                list = ContextFile.environment.apply(variable);
                source = "$" + variable;
            }
        }
        List<Integer> numbers = new ArrayList<>();
        if (list == null || list.isBlank() || "NoDevFiles".equals(list)) {
            return numbers;
        }
        for (String item : list.split(",")) {
            if (!item.strip().matches("\\d{1,3}")) {
                throw new IllegalArgumentException(source + ": \"" + list + "\" is not allowed (allowed: GPU numbers "
                        + "separated by commas, e.g. 0,1)");
            }
            numbers.add(Integer.parseInt(item.strip()));
        }
        return numbers;
    }

    /** Why a GPU must not take a job: failed, or degraded with a repair due; null when it may. */
    private static String unhealthy(JsonNode status) {
        JsonNode health = status.get("health");
        String state = health.get("state").asText();
        String action = health.get("action").asText();
        if (state.equals("healthy") || state.equals("degraded") && action.equals("none")) {
            return null;
        }
        JsonNode reasons = health.get("reasons");
        String reason = reasons.isEmpty() ? state : reasons.get(0).get("message").asText();
        return "GPU " + status.get("gpu").asInt() + " (" + status.get("uuid").asText() + ") is " + state + ": "
                + reason + " (" + action + ")";
    }

    /**
     * What a job left on a GPU, each process with who it is and the agent's verdict when the agent has judged it
     * (its {@code /v1/node} placement); null when nothing is left.
     */
    private static String leftBehind(JsonNode status, JsonNode placement) {
        int gpu = status.get("gpu").asInt();
        if (!status.path("processError").isNull() && !status.path("processError").isMissingNode()) {
            return "GPU " + gpu + ": its processes cannot be read: " + status.get("processError").asText();
        }
        JsonNode processes = status.get("processes");
        if (processes.isEmpty()) {
            return null;
        }
        List<String> left = new ArrayList<>();
        processes.forEach(p -> left.add("pid " + p.get("pid").asLong() + " (" + p.get("usedMemoryMiB").asLong()
                + " MiB" + attribution(placement, gpu, p.get("pid").asLong()) + ")"));
        return "GPU " + gpu + " still has " + processes.size() + " process" + (processes.size() == 1 ? "" : "es")
                + " after the job: " + String.join(", ", left);
    }

    /** {@code , user U, command C, owner O, job J, verdict V} from the agent's last placement pass, or nothing. */
    private static String attribution(JsonNode placement, int gpu, long pid) {
        for (JsonNode onGpu : placement) {
            if (onGpu.path("gpu").asInt(-1) != gpu) {
                continue;
            }
            for (JsonNode judged : onGpu.path("processes")) {
                if (judged.path("pid").asLong() == pid) {
                    return ", user " + judged.path("user").asText() + ", command " + judged.path("command").asText()
                            + ", owner " + judged.path("owner").asText() + ", job "
                            + judged.path("job").asText("none") + ", verdict " + judged.path("verdict").asText();
                }
            }
        }
        return "";
    }

    private JsonNode get(HttpClient http, String path, Duration wait) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(wait)
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body().strip());
        }
        return Documents.json().readTree(response.body());
    }
}
