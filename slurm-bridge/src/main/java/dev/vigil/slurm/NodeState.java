package dev.vigil.slurm;

import java.util.Locale;

/** A Slurm node's base state; drain, not-responding and the like are flags beside it ({@link SlurmNode#flags()}). */
public enum NodeState {
    IDLE, MIXED, ALLOCATED, DOWN, ERROR, FUTURE, UNKNOWN;

    static NodeState of(String word) {
        return switch (word.toUpperCase(Locale.ROOT)) {
            case "IDLE" -> IDLE;
            case "MIXED" -> MIXED;
            case "ALLOCATED", "ALLOC" -> ALLOCATED;
            case "DOWN" -> DOWN;
            case "ERROR" -> ERROR;
            case "FUTURE" -> FUTURE;
            default -> UNKNOWN;
        };
    }

    /** Whether this word is a base state rather than a flag. */
    static boolean isBase(String word) {
        return of(word) != UNKNOWN || "UNKNOWN".equalsIgnoreCase(word);
    }
}
