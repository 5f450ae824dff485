package dev.vigil.controller.runbooks;

import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.controller.config.RunbookSettings;
import dev.vigil.runbooks.BmcResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Power cycles through the nodes' BMCs with {@code ipmitool}, off the leader's thread: a request
 * is taken at once and its result read later by id, and an id already asked is not run again.
 * Results live in this member's memory: a new leader finds a power cycle it did not run unknown,
 * and the step asks again under a new attempt's id (cycling twice is what a person would do
 * after losing track; the repeat-offender guard bounds how often a node goes through it).
 */
final class Bmc implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Bmc.class);
    private static final Duration LIMIT = Duration.ofMinutes(2);

    private final RunbookSettings.Bmc settings;
    private final Map<String, BmcResult> results = new ConcurrentHashMap<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "vigil-bmc");
        thread.setDaemon(true);
        return thread;
    });

    /** @param settings the BMC configuration, or null where none is configured */
    Bmc(RunbookSettings.Bmc settings) {
        this.settings = settings;
    }

    void powerCycle(String id, String node) {
        if (settings == null) {
            results.putIfAbsent(id, new BmcResult(id, AgentActionResult.State.FAILED, "no BMC is configured "
                    + "(runbooks.bmc in the controller's config): power-cycle " + node + " by hand"));
            return;
        }
        String host = settings.host(node);
        if (host == null) {
            results.putIfAbsent(id, new BmcResult(id, AgentActionResult.State.FAILED, "no BMC address for " + node
                    + " (runbooks.bmc.hosts names none and no hostSuffix is set)"));
            return;
        }
        if (results.putIfAbsent(id, new BmcResult(id, AgentActionResult.State.RUNNING, "ipmitool -H " + host
                + " chassis power cycle")) != null) {
            return;
        }
        runner.execute(() -> results.put(id, run(id, node, host)));
    }

    Optional<BmcResult> result(String id) {
        return Optional.ofNullable(results.get(id));
    }

    private BmcResult run(String id, String node, String host) {
        List<String> command = List.of(settings.ipmitool(), "-I", "lanplus", "-H", host, "-U", settings.user(), "-f",
                settings.passwordFile().toString(), "chassis", "power", "cycle");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            boolean done = process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS);
            if (!done) {
                process.destroyForcibly();
            }
            String output = new String(process.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            boolean ok = done && process.exitValue() == 0;
            LOG.atInfo().addKeyValue("node", node).addKeyValue("bmc", host).addKeyValue("ok", ok)
                    .addKeyValue("output", output).log("bmc_power_cycle");
            return new BmcResult(id, ok ? AgentActionResult.State.SUCCEEDED : AgentActionResult.State.FAILED,
                    (done ? "ipmitool exited " + process.exitValue() : "ipmitool did not finish within "
                            + LIMIT.toMinutes() + " min") + (output.isEmpty() ? "" : ": " + output));
        } catch (IOException e) {
            return new BmcResult(id, AgentActionResult.State.FAILED, "cannot run " + settings.ipmitool() + ": "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new BmcResult(id, AgentActionResult.State.FAILED, "interrupted");
        }
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
