package dev.vigil.api.gpu;

import java.time.Instant;

/**
 * One reason a GPU is not healthy.
 *
 * @param code    a stable identifier for rules and scripts, e.g. {@code xid}, {@code ecc-dbe},
 *                {@code gpu-lost}, {@code thermal}, {@code nvlink-down}
 * @param state   the state this reason alone puts the GPU in
 * @param message what happened, in words, with the numbers
 * @param action  what to do about it
 * @param xid     the XID behind the reason, when there is one
 * @param since   when the condition was first seen
 */
public record HealthReason(String code, HealthState state, String message, RepairAction action, Integer xid,
                           Instant since) {
}
