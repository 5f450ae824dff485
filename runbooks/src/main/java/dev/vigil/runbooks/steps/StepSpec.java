package dev.vigil.runbooks.steps;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One step as a runbook file writes it: {@code {kind: drain, mode: requeue, timeout: 20m}}. The keys
 * of every kind share one record so that a misspelt key is an unknown key; a key of another kind
 * is refused here, naming the keys this kind takes.
 *
 * @param kind      what the step does
 * @param name      its name in the run's record (default: its kind)
 * @param timeout   how long one attempt may take (default: the kind's, {@link StepKind#defaultTimeout})
 * @param retries   attempts after the first one fails (default 0)
 * @param backoff   the wait before the first retry, doubling for each further one (default 10s)
 * @param onFailure what the run does when the last attempt failed (default stop)
 * @param fallback  true: the step runs only when the step before it failed and let the run go on
 *                  ({@code onFailure: continue}), and is skipped when that one succeeded; e.g. a power
 *                  cycle after a reboot that did not work (default false)
 * @param scope     cordon, uncordon, drain, health-check, return: the node or the run's GPU (default:
 *                  what the run targets)
 * @param mode      drain: requeue (default) or allow-completion
 * @param deadline  drain with allow-completion: how long work may run on before it is requeued
 * @param until     wait: the condition
 * @param level     health-check: the diagnostic's level, 1 (default) or 2
 * @param message   notify: the note's text; {@code ${node}}, {@code ${gpu}}, {@code ${run}} and
 *                  {@code ${runbook}} are replaced
 * @param page      notify: true sends a page with the node's history instead of a note (default false)
 * @param command   exec: the command, run on the node over the controller's SSH
 */
public record StepSpec(StepKind kind, String name, Duration timeout, Integer retries, Duration backoff,
                       OnFailure onFailure, Boolean fallback, Scope scope, DrainMode mode, Duration deadline, Condition until,
                       Integer level, String message, Boolean page, String command) {
    static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(10);
    /** The longest backoff between two attempts, however many doublings. */
    static final Duration MAX_BACKOFF = Duration.ofHours(1);

    public StepSpec {
        InvalidValueException.required(kind, "kind", "one of " + StepKind.all());
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("scope", scope);
        given.put("mode", mode);
        given.put("deadline", deadline);
        given.put("until", until);
        given.put("level", level);
        given.put("message", message);
        given.put("page", page);
        given.put("command", command);
        for (var key : given.entrySet()) {
            InvalidValueException.require(key.getValue() == null || kind.keys().contains(key.getKey()), key.getKey(),
                    key.getValue(), "the keys of a " + kind.wireName() + " step: " + StepKind.allowedKeys(kind));
        }
        name = name == null ? kind.wireName() : name;
        InvalidValueException.require(!name.isBlank() && name.length() <= 64, "name", name, "1 to 64 characters");
        retries = retries == null ? 0 : retries;
        InvalidValueException.require(retries >= 0 && retries <= 10, "retries", retries, "0 to 10");
        backoff = backoff == null ? DEFAULT_BACKOFF : backoff;
        InvalidValueException.require(backoff.compareTo(MAX_BACKOFF) <= 0, "backoff", backoff, "0s to 1h");
        onFailure = onFailure == null ? OnFailure.STOP : onFailure;
        fallback = fallback != null && fallback;
        if (kind == StepKind.DRAIN) {
            mode = mode == null ? DrainMode.REQUEUE : mode;
            InvalidValueException.require((mode == DrainMode.ALLOW_COMPLETION) == (deadline != null), "deadline",
                    deadline, "a deadline with mode allow-completion, and none with mode requeue");
        }
        if (kind == StepKind.DRAIN && mode == DrainMode.ALLOW_COMPLETION && timeout == null) {
            // The requeue after the deadline needs time of its own.
            timeout = deadline.plus(kind.defaultTimeout());
        }
        timeout = timeout == null ? kind.defaultTimeout() : timeout;
        InvalidValueException.require(!timeout.isZero() && timeout.compareTo(Duration.ofDays(7)) <= 0, "timeout",
                timeout, "more than 0s, at most 7d");
        if (deadline != null) {
            InvalidValueException.require(deadline.compareTo(timeout) < 0, "deadline", deadline,
                    "less than the step's timeout (" + HumanDurations.format(timeout) + ")");
        }
        if (kind == StepKind.WAIT) {
            InvalidValueException.required(until, "until", "one of node-empty, gpu-healthy, node-reporting, node-ready");
        }
        if (kind == StepKind.HEALTH_CHECK) {
            level = level == null ? 1 : level;
            InvalidValueException.require(level == 1 || level == 2, "level", level, "1 (quick) or 2 (medium)");
            // A failed check that lets the run go on could reach return: a broken GPU back in service.
            InvalidValueException.require(onFailure != OnFailure.CONTINUE, "onFailure", "continue",
                    "stop or escalate: a failed health check must never let the run return the node");
        }
        if (kind == StepKind.NOTIFY) {
            InvalidValueException.required(message, "message", "the note's text");
            page = page != null && page;
        }
        if (kind == StepKind.EXEC) {
            InvalidValueException.required(command, "command", "the command to run on the node");
        }
    }

    /** The wait before retry {@code retry} (1 for the first): the backoff, doubled for each earlier retry. */
    public Duration backoffBefore(int retry) {
        Duration wait = backoff;
        for (int i = 1; i < retry && wait.compareTo(MAX_BACKOFF) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(MAX_BACKOFF) < 0 ? wait : MAX_BACKOFF;
    }

    /** Whether it acts on a GPU, so that the run must target one. */
    public boolean needsGpu() {
        return kind == StepKind.GPU_RESET || scope == Scope.GPU || until == Condition.GPU_HEALTHY;
    }

    /** Whether it acts on a node (fleet runbooks may only notify and report). */
    public boolean actsOnNode() {
        return kind != StepKind.NOTIFY && kind != StepKind.REPORT;
    }

    /** The class that carries it out. */
    public Step step() {
        return switch (kind) {
            case CORDON -> new Cordon(scope);
            case UNCORDON -> new Uncordon(scope);
            case DRAIN -> new Drain(scope, mode, deadline);
            case WAIT -> new Wait(until);
            case GPU_RESET -> new GpuReset();
            case REBOOT -> new Reboot();
            case POWER_CYCLE -> new PowerCycle();
            case HEALTH_CHECK -> new HealthCheck(scope, level);
            case NOTIFY -> new Notify(message, page);
            case APPROVE -> new Approve();
            case EXEC -> new Exec(command);
            case RETURN -> new Return(scope);
            case REPORT -> new Report();
        };
    }
}
