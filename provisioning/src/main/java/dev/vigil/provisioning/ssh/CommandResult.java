package dev.vigil.provisioning.ssh;

/**
 * How a remote command ended.
 *
 * @param exitStatus its exit status; -1 when it was killed by a signal
 * @param stdout     what it printed on stdout (UTF-8)
 * @param stderr     what it printed on stderr (UTF-8)
 */
public record CommandResult(int exitStatus, String stdout, String stderr) {
    public boolean succeeded() {
        return exitStatus == 0;
    }
}
