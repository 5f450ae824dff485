package dev.vigil.agent.repair;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.cluster.AgentAction;
import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.api.gpu.GpuProcess;
import dev.vigil.gpu.backend.GpuBackend;
import dev.vigil.gpu.backend.GpuBackendException;
import dev.vigil.gpu.fields.FieldSet;
import dev.vigil.gpu.health.HealthEvaluator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Repairs on the host's real GPUs, through host commands: {@code nvidia-smi -r -i N} for a reset
 * (refused while processes hold the GPU), {@code systemctl reboot} for a reboot (recorded in the
 * state dir first, so that the agent after it reports the outcome), and {@code dcgmi diag -r N -j}
 * plus the sample's checks for a health check.
 */
public final class HostRepairs implements NodeRepairs {
    private static final Logger LOG = LoggerFactory.getLogger(HostRepairs.class);
    /** Where Linux tells this boot apart from every other. */
    public static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private final String node;
    private final GpuBackend backend;
    private final HealthEvaluator evaluator;
    private final CommandRunner commands;
    private final AgentConfig.Actions config;
    private final Path bootIdFile;
    private final RebootRecord record;
    private final SnapshotSource snapshots;
    private final SampleChecks checks;
    private final Clock clock;
    /** The id of the reboot kept in the state dir, or null; cleared once the desired state lets it go. */
    private volatile String recorded;

    /**
     * @param bootIdFile where the boot id is read ({@link #BOOT_ID} in production)
     * @param sampled    the fields the agent samples, which the health checks read
     */
    public HostRepairs(String node, GpuBackend backend, HealthEvaluator evaluator, CommandRunner commands,
                       AgentConfig.Actions config, Path bootIdFile, SnapshotSource snapshots, FieldSet sampled,
                       Clock clock) {
        this.node = node;
        this.backend = backend;
        this.evaluator = evaluator;
        this.commands = commands;
        this.config = config;
        this.bootIdFile = bootIdFile;
        this.record = new RebootRecord(config.stateDir());
        this.snapshots = snapshots;
        this.checks = new SampleChecks(sampled, backend.inventory());
        this.clock = clock;
    }

    /**
     * The outcome of a reboot a previous agent process asked for, read from the state dir:
     * succeeded when the boot id changed since, failed when it did not.
     */
    public List<AgentActionResult> restored() {
        Optional<RebootRecord.Entry> entry;
        try {
            entry = record.read();
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("file", record.file()).addKeyValue("error", e.toString())
                    .log("reboot_record_unreadable");
            return List.of();
        }
        if (entry.isEmpty()) {
            return List.of();
        }
        recorded = entry.get().id();
        String boot = bootId();
        Outcome outcome = boot.equals(entry.get().boot())
                ? Outcome.failed("the node did not reboot: the agent restarted in the same boot (" + boot + ")", null)
                : Outcome.succeeded("node rebooted (boot " + boot + ")", null);
        LOG.atInfo().addKeyValue("node", node).addKeyValue("id", entry.get().id())
                .addKeyValue("state", outcome.state().name().toLowerCase()).log("reboot_recorded");
        return List.of(new AgentActionResult(entry.get().id(), AgentAction.Kind.REBOOT, outcome.state(),
                outcome.message(), null, null, clock.instant()));
    }

    @Override
    public void stillWanted(Set<String> ids) {
        String id = recorded;
        if (id != null && !ids.contains(id)) {
            try {
                record.clear();
                recorded = null;
            } catch (IOException e) {
                LOG.atWarn().addKeyValue("node", node).addKeyValue("file", record.file())
                        .addKeyValue("error", e.toString()).log("reboot_record_not_removed");
            }
        }
    }

    @Override
    public Outcome resetGpu(AgentAction action) throws InterruptedException {
        int gpu = action.gpu();
        String missing = missingGpu(gpu);
        if (missing != null) {
            return Outcome.failed(missing, null);
        }
        List<GpuProcess> processes;
        try {
            processes = backend.processes(gpu);
        } catch (GpuBackendException e) {
            return Outcome.failed("gpu-reset of gpu " + gpu + " refused: cannot tell which processes hold it: "
                    + e.getMessage(), null);
        }
        if (!processes.isEmpty()) {
            return Outcome.gpuInUse(gpu, processes);
        }
        List<String> command = List.of(config.nvidiaSmi(), "-r", "-i", String.valueOf(gpu));
        CommandRunner.CommandResult result;
        try {
            result = commands.run(command, config.timeout());
        } catch (IOException e) {
            return Outcome.failed("cannot run " + config.nvidiaSmi() + ": " + e.getMessage(), null);
        }
        if (result.exitCode() != 0) {
            return Outcome.failed(failure(command, result), result.output());
        }
        evaluator.forget(gpu);
        return Outcome.succeeded("gpu " + gpu + " reset by nvidia-smi in " + HumanDurations.format(result.took()),
                result.output());
    }

    @Override
    public Outcome reboot(AgentAction action) throws InterruptedException {
        String boot = bootId();
        try {
            record.write(new RebootRecord.Entry(action.id(), boot));
            recorded = action.id();
        } catch (IOException e) {
            return Outcome.failed("reboot refused: cannot record it in " + config.stateDir() + " (" + e.getMessage()
                    + "), so the agent after it could not report it", null);
        }
        List<String> command = List.of(config.systemctl(), "reboot");
        LOG.atWarn().addKeyValue("node", node).addKeyValue("id", action.id()).addKeyValue("boot", boot)
                .log("reboot_requested");
        CommandRunner.CommandResult result;
        try {
            result = commands.run(command, config.timeout());
        } catch (IOException e) {
            forgetRecord();
            return Outcome.failed("cannot run " + config.systemctl() + ": " + e.getMessage(), null);
        }
        if (result.exitCode() != 0) {
            forgetRecord();
            return Outcome.failed(failure(command, result), result.output());
        }
        return new Outcome(AgentActionResult.State.RUNNING, "rebooting (from boot " + boot + ")", result.output());
    }

    @Override
    public Outcome healthCheck(AgentAction action) throws InterruptedException {
        int level = action.level() == null ? 1 : action.level();
        List<Integer> gpus;
        if (action.gpu() == null) {
            gpus = IntStream.range(0, backend.inventory().gpus().size()).boxed().toList();
        } else {
            String missing = missingGpu(action.gpu());
            if (missing != null) {
                return Outcome.failed(missing, null);
            }
            gpus = List.of(action.gpu());
        }
        Instant started = clock.instant();
        long start = System.nanoTime();
        List<String> command = new ArrayList<>(List.of(config.dcgmi(), "diag", "-r", String.valueOf(level), "-j"));
        if (action.gpu() != null) {
            command.addAll(List.of("-i", String.valueOf(action.gpu())));
        }
        List<Check> found = new ArrayList<>(diagnostic(command));
        found.addAll(checks.check(snapshots.after(started), gpus));
        return Check.verdict(ActionExecutor.describe(action), found, Duration.ofNanos(System.nanoTime() - start));
    }

    /** dcgmi's verdicts, or one failed check saying why there are none: no diagnostic is never a pass. */
    private List<Check> diagnostic(List<String> command) throws InterruptedException {
        CommandRunner.CommandResult result;
        try {
            result = commands.run(command, config.timeout());
        } catch (IOException e) {
            return List.of(new Check("dcgmi diag", false, "cannot run " + config.dcgmi() + ": " + e.getMessage()
                    + " (is DCGM installed?)"));
        }
        if (result.timedOut()) {
            return List.of(new Check("dcgmi diag", false, "no answer within " + HumanDurations.format(config.timeout())));
        }
        try {
            List<Check> checks = new ArrayList<>();
            checks.add(new Check("dcgmi diag", true, "ran in " + HumanDurations.format(result.took())));
            checks.addAll(DcgmDiag.parse(result.output()));
            return checks;
        } catch (IOException e) {
            return List.of(new Check("dcgmi diag", false, failure(command, result) + ": " + e.getMessage()));
        }
    }

    private void forgetRecord() {
        try {
            record.clear();
            recorded = null;
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("file", record.file()).addKeyValue("error", e.toString())
                    .log("reboot_record_not_removed");
        }
    }

    private String bootId() {
        try {
            return Files.readString(bootIdFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String failure(List<String> command, CommandRunner.CommandResult result) {
        String line = result.output().strip().lines().findFirst().orElse("");
        return String.join(" ", command) + (result.timedOut() ? " ran past its timeout" : " exited "
                + result.exitCode()) + (line.isEmpty() ? "" : ": " + line);
    }

    private String missingGpu(int gpu) {
        int count = backend.inventory().gpus().size();
        return gpu < count ? null : "no gpu " + gpu + " on this node (it has 0 to " + (count - 1) + ")";
    }
}
