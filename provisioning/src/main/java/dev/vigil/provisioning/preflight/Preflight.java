package dev.vigil.provisioning.preflight;

import dev.vigil.provisioning.Fleet;
import dev.vigil.provisioning.ssh.CommandResult;
import dev.vigil.provisioning.ssh.Ssh;
import dev.vigil.provisioning.ssh.SshConnection;
import dev.vigil.provisioning.ssh.SshFailure;
import dev.vigil.provisioning.ssh.SshTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;

/** Runs preflight on hosts, in parallel: one SSH command per host, then the {@link Checks}. */
public final class Preflight {
    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    private final Ssh ssh;
    private final Clock clock;

    public Preflight(Ssh ssh, Clock clock) {
        this.ssh = ssh;
        this.clock = clock;
    }

    /** Each host's report, in the order given; a host that cannot be reached fails its {@code ssh} check. */
    public List<HostReport> run(List<SshTarget> targets, int agentPort, Integer expectedGpus, int parallel)
            throws InterruptedException {
        return Fleet.map(targets, parallel, target -> check(target, agentPort, expectedGpus));
    }

    HostReport check(SshTarget target, int agentPort, Integer expectedGpus) {
        try (SshConnection connection = ssh.connect(target)) {
            CommandResult answers = connection.run(Probe.script(agentPort));
            Checks.Context context = new Checks.Context(agentPort, clock.instant().getEpochSecond(), expectedGpus);
            HostReport report = HostReport.of(target.name(), Checks.all(Probe.parse(answers.stdout()), context));
            LOG.atInfo().addKeyValue("host", target.name()).addKeyValue("status", report.status().wire())
                    .log("preflight_checked");
            return report;
        } catch (SshFailure e) {
            LOG.atWarn().addKeyValue("host", target.name()).addKeyValue("reason", e.reason()).log("preflight_unreachable");
            return HostReport.unreachable(target.name(), e.getMessage());
        }
    }
}
