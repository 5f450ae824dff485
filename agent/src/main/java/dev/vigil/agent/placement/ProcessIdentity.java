package dev.vigil.agent.placement;

import java.util.Objects;

/**
 * Who a GPU process is.
 *
 * @param pid                the host PID
 * @param uid                its real user id, or -1 when unknown
 * @param command            its command name ({@code comm}), or empty when unknown
 * @param owner              what it belongs to
 * @param cudaVisibleDevices its {@code CUDA_VISIBLE_DEVICES}, a hint only, or null when unset or unreadable
 * @param startTime          when it started, in clock ticks after boot ({@code /proc/PID/stat} field 22), or -1 when
 *                           unknown: with the PID, it tells one process from a later one that got the same PID
 */
public record ProcessIdentity(long pid, int uid, String command, Owner owner, String cudaVisibleDevices,
                              long startTime) {
    public ProcessIdentity {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(owner, "owner");
    }

    /** An identity whose start time is not known. */
    public ProcessIdentity(long pid, int uid, String command, Owner owner, String cudaVisibleDevices) {
        this(pid, uid, command, owner, cudaVisibleDevices, -1);
    }

    /** The user as shown to operators: the uid, as names would need the node's user database. */
    public String user() {
        return uid < 0 ? WireText.UNKNOWN : String.valueOf(uid);
    }
}
