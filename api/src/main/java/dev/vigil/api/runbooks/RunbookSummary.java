package dev.vigil.api.runbooks;

import java.util.List;

/**
 * A runbook as {@code GET /v1/runbooks} lists it.
 *
 * @param name        its name
 * @param description what it is for
 * @param trigger     when it runs, in words: {@code alert GpuXidFatal{xid=79}}, {@code cron 0 0 6 ? * MON}, {@code manual}
 * @param target      what it acts on: {@code node}, {@code gpu}, or a selector in words
 * @param mode        {@code active} or {@code dry-run}
 * @param steps       the kinds of its steps, in order
 * @param running     its runs that have not ended
 * @param file        the file it was read from
 */
public record RunbookSummary(String name, String description, String trigger, String target, String mode,
                             List<String> steps, int running, String file) {
    public RunbookSummary {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }
}
