package dev.vigil.agent.repair;

import dev.vigil.api.binding.HumanDurations;

import java.time.Duration;
import java.util.List;

/**
 * One health check's verdict.
 *
 * @param name   what was checked, e.g. {@code gpu 3 row-remap}
 * @param passed whether it passed
 * @param detail what was found
 */
record Check(String name, boolean passed, String detail) {
    /** {@code PASS gpu 3 row-remap: no remap pending or failed}. */
    String line() {
        return (passed ? "PASS " : "FAIL ") + name + (detail == null || detail.isEmpty() ? "" : ": " + detail);
    }

    static String lines(List<Check> checks) {
        StringBuilder text = new StringBuilder();
        for (Check check : checks) {
            text.append(check.line()).append('\n');
        }
        return text.toString();
    }

    /**
     * A health check's outcome: failed when any check failed, the failures named in the message
     * and every check in the output, one line each.
     */
    static Outcome verdict(String what, List<Check> checks, Duration took) {
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(Check::name).toList();
        String in = " in " + HumanDurations.format(took);
        if (failed.isEmpty()) {
            return Outcome.succeeded(what + " passed: " + checks.size() + " check(s)" + in, lines(checks));
        }
        return Outcome.failed(what + " failed: " + failed.size() + " of " + checks.size() + " check(s) failed ("
                + String.join(", ", failed) + ")" + in, lines(checks));
    }
}
