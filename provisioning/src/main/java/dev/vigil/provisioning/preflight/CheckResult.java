package dev.vigil.provisioning.preflight;

/**
 * One check on one host.
 *
 * @param check  what was checked ({@code driver}, {@code fabric-manager}, ...)
 * @param status its verdict
 * @param detail what was found, and for a warning or a failure why it matters or what to do
 */
public record CheckResult(String check, Status status, String detail) {
    static CheckResult pass(String check, String detail) {
        return new CheckResult(check, Status.PASS, detail);
    }

    static CheckResult warn(String check, String detail) {
        return new CheckResult(check, Status.WARN, detail);
    }

    static CheckResult fail(String check, String detail) {
        return new CheckResult(check, Status.FAIL, detail);
    }
}
