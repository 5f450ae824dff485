package dev.vigil.runbooks;

import dev.vigil.api.runbooks.RunbookSummary;
import dev.vigil.runbooks.steps.StepSpec;

import java.nio.file.Path;

/** A runbook and the file it was read from. */
public record RunbookFile(Path file, Runbook runbook) {
    /** As {@code GET /v1/runbooks} lists it. */
    public RunbookSummary summary(int running) {
        return new RunbookSummary(runbook.name(), runbook.description(),
                runbook.trigger() == null ? "manual" : runbook.trigger().toString(), runbook.target().toString(),
                runbook.mode() == Mode.ACTIVE ? "active" : "dry-run",
                runbook.steps().stream().map(StepSpec::kind).map(kind -> kind.wireName()).toList(), running,
                file.toString());
    }
}
