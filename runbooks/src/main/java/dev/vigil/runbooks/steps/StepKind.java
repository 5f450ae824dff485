package dev.vigil.runbooks.steps;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The closed set of step kinds, with the keys each takes besides the ones every step takes and the
 * timeout an attempt gets when the step names none.
 */
public enum StepKind {
    CORDON(Duration.ofMinutes(1), "scope"),
    UNCORDON(Duration.ofMinutes(1), "scope"),
    DRAIN(Duration.ofMinutes(30), "scope", "mode", "deadline"),
    WAIT(Duration.ofMinutes(30), "until"),
    GPU_RESET(Duration.ofMinutes(5)),
    REBOOT(Duration.ofMinutes(15)),
    POWER_CYCLE(Duration.ofMinutes(15)),
    HEALTH_CHECK(Duration.ofMinutes(15), "scope", "level"),
    NOTIFY(Duration.ofMinutes(1), "message", "page"),
    APPROVE(Duration.ofHours(4)),
    EXEC(Duration.ofMinutes(10), "command"),
    RETURN(Duration.ofMinutes(1), "scope"),
    REPORT(Duration.ofMinutes(10));

    /** Keys every step takes. */
    static final List<String> COMMON = List.of("kind", "name", "timeout", "retries", "backoff", "onFailure", "fallback");

    private final Duration defaultTimeout;
    private final List<String> keys;

    StepKind(Duration defaultTimeout, String... keys) {
        this.defaultTimeout = defaultTimeout;
        this.keys = List.of(keys);
    }

    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    /** The keys this kind takes besides the common ones. */
    public List<String> keys() {
        return keys;
    }

    /** As runbook files and run records spell it: {@code gpu-reset}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String allowedKeys(StepKind kind) {
        return String.join(", ", COMMON) + (kind.keys.isEmpty() ? "" : ", " + String.join(", ", kind.keys));
    }

    /** Every kind as files spell it. */
    public static String all() {
        return Arrays.stream(values()).map(StepKind::wireName).collect(Collectors.joining(", "));
    }
}
