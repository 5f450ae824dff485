package dev.vigil.provisioning.preflight;

import java.util.List;

/**
 * A host's preflight: its checks, or the one failure that kept them from running (no SSH).
 *
 * @param host   the host's name
 * @param status the worst of its checks; {@code fail} when it could not be checked
 * @param checks the checks in a fixed order; one {@code ssh} check when the host could not be reached
 */
public record HostReport(String host, Status status, List<CheckResult> checks) {
    public HostReport {
        checks = List.copyOf(checks);
    }

    static HostReport of(String host, List<CheckResult> checks) {
        Status worst = checks.stream().map(CheckResult::status).reduce(Status.PASS, Status::worst);
        return new HostReport(host, worst, checks);
    }

    static HostReport unreachable(String host, String why) {
        return of(host, List.of(CheckResult.fail("ssh", why)));
    }
}
