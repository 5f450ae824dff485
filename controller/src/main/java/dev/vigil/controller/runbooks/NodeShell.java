package dev.vigil.controller.runbooks;

import dev.vigil.api.cluster.AgentActionResult;
import dev.vigil.controller.config.RunbookSettings;
import dev.vigil.provisioning.ssh.CommandResult;
import dev.vigil.provisioning.ssh.FirstContact;
import dev.vigil.provisioning.ssh.KnownHosts;
import dev.vigil.provisioning.ssh.Ssh;
import dev.vigil.provisioning.ssh.SshConnection;
import dev.vigil.provisioning.ssh.SshFailure;
import dev.vigil.provisioning.ssh.SshSettings;
import dev.vigil.provisioning.ssh.SshTarget;
import dev.vigil.runbooks.ExecResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runbooks' {@code exec} steps over provisioning's SSH, off the leader's thread: a request is
 * taken at once and its result read later by id, and an id already asked is not run again. Host
 * keys are pinned and never learnt here. Results live in this member's memory, as power cycles'
 * do: a new leader finds a command it did not run unknown, and the step asks again under a new
 * attempt's id.
 */
final class NodeShell implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeShell.class);
    /** Commands at once: each may take its whole timeout, and one slow node must not hold the others. */
    private static final int PARALLEL = 4;
    private static final int MESSAGE_LIMIT = 300;

    private final RunbookSettings.Ssh settings;
    private final Ssh ssh;
    private final Map<String, ExecResult> results = new ConcurrentHashMap<>();
    private final ExecutorService runner = Executors.newFixedThreadPool(PARALLEL, r -> {
        Thread thread = new Thread(r, "vigil-exec");
        thread.setDaemon(true);
        return thread;
    });

    /** @param settings the SSH configuration, or null where none is configured */
    NodeShell(RunbookSettings.Ssh settings) {
        this.settings = settings;
        this.ssh = settings == null ? null : new Ssh(new SshSettings(settings.identity(),
                new KnownHosts(settings.knownHosts()), FirstContact.pinnedOnlyBy("runbooks.ssh.knownHosts"),
                settings.connectTimeout(), settings.commandTimeout(), SshSettings.KEEP_ALIVE));
    }

    void exec(String id, String node, String command) {
        if (settings == null) {
            results.putIfAbsent(id, new ExecResult(id, AgentActionResult.State.FAILED, "no SSH is configured "
                    + "(runbooks.ssh in the controller's config): run it on " + node + " by hand"));
            return;
        }
        SshTarget target;
        try {
            target = target(node);
        } catch (IllegalArgumentException e) {
            results.putIfAbsent(id, new ExecResult(id, AgentActionResult.State.FAILED, "runbooks.ssh.hosts." + node
                    + ": " + e.getMessage()));
            return;
        }
        if (results.putIfAbsent(id, new ExecResult(id, AgentActionResult.State.RUNNING, "ssh " + target.login()))
                != null) {
            return;
        }
        runner.execute(() -> results.put(id, run(id, target, command)));
    }

    Optional<ExecResult> result(String id) {
        return Optional.ofNullable(results.get(id));
    }

    /** The node's address from {@code hosts}, else its name; the configured user where it names none. */
    SshTarget target(String node) {
        String spec = settings.hosts().getOrDefault(node, node);
        SshTarget target = SshTarget.parseAll(List.of(node + " " + spec)).get(0);
        return target.user() != null || settings.user() == null ? target
                : new SshTarget(node, settings.user(), target.address(), target.port());
    }

    private ExecResult run(String id, SshTarget target, String command) {
        ExecResult result;
        try (SshConnection connection = ssh.connect(target)) {
            CommandResult done = connection.run(command);
            String last = lastLine(done.stdout().isBlank() ? done.stderr() : done.stdout());
            result = new ExecResult(id, done.succeeded() ? AgentActionResult.State.SUCCEEDED
                    : AgentActionResult.State.FAILED, cut("exit " + done.exitStatus() + (last.isEmpty() ? "" : ": " + last)));
        } catch (SshFailure e) {
            result = new ExecResult(id, AgentActionResult.State.FAILED, cut(e.getMessage()));
        }
        LOG.atInfo().addKeyValue("node", target.name()).addKeyValue("id", id).addKeyValue("state", result.state())
                .addKeyValue("message", result.message()).log("runbook_exec");
        return result;
    }

    private static String lastLine(String output) {
        List<String> lines = output.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }

    private static String cut(String message) {
        return message.length() <= MESSAGE_LIMIT ? message : message.substring(0, MESSAGE_LIMIT) + "...";
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
