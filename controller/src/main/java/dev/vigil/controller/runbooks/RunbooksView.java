package dev.vigil.controller.runbooks;

import dev.vigil.api.runbooks.AutomationStatus;
import dev.vigil.api.runbooks.RunbookSummary;

import java.util.List;

/** {@code GET /v1/runbooks}: the runbooks the leader runs, and whether automation may act. */
public record RunbooksView(List<RunbookSummary> runbooks, AutomationStatus automation) {
}
