package dev.vigil.provisioning.install;

/**
 * How the install (or upgrade) of one host went.
 *
 * @param host    the host's name
 * @param ok      the controller shows the node ready (with the new version, for an upgrade)
 * @param step    the last step reached: connect, upload, unpack, configure, check, start,
 *                ready; for an upgrade also drain (before) and resume (after)
 * @param detail  what happened there; for a failure, why
 * @param seconds how long the host took
 */
public record InstallResult(String host, boolean ok, String step, String detail, double seconds) {
}
