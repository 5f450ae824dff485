package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AuditEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/** {@code vigil audit}: who changed what, when, from where, and what came of it. */
@Command(name = "audit",
        mixinStandardHelpOptions = true,
        description = {
                "Print the audit log, oldest first: who changed what.",
                "",
                "Every mutation (cordon, drain, token issued or revoked, what the health",
                "reflex did) with who (the token's name), the role, where from, the HTTP",
                "status and the result; refused ones too (no token, wrong role, bad",
                "input). Needs an admin token.",
                "",
                "The table fits the terminal ($COLUMNS, else 120 columns) and cuts long",
                "text with '…'; 'vigil audit SEQ' shows one entry whole, and -o json all.",
                ""},
        footer = {"", "Examples:",
                "  vigil audit",
                "  vigil audit --since 120 --limit 20",
                "  vigil audit 4711                       # one entry, nothing cut",
                "  vigil audit -o json | jq '.entries[] | select(.status >= 400)'        # refused"})
final class AuditCommand extends ApiCommand {
    /** The body of GET /v1/audit. */
    record Page(List<AuditEntry> entries, long lastSeq) {
    }

    @Parameters(index = "0", arity = "0..1", paramLabel = "SEQ", description = "Show this entry only, whole.")
    Long seq;

    @Option(names = "--since", paramLabel = "SEQ", defaultValue = "0",
            description = "Only entries after this sequence number (default: ${DEFAULT-VALUE}, from the oldest kept).")
    long since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
            description = "At most this many entries, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        if (seq != null) {
            one(client, out);
            return;
        }
        ControllerClient.Answer answer = client.get("/v1/audit" + ControllerClient.query("since", since, "limit", limit));
        Page page = answer.as(Page.class);
        if (json()) {
            out.println(answer.pretty());
        } else if (page.entries().isEmpty()) {
            out.println("No audit entries after seq " + since + ".");
        } else {
            Table table = new Table("SEQ", "TIME", "ACTOR", "ROLE", "FROM", "ACTION", "STATUS", "RESULT", "DETAIL")
                    .fit(Table.terminalWidth());
            for (AuditEntry entry : page.entries()) {
                table.row(entry.seq(), Table.time(entry.time()), entry.actor(), entry.role(), entry.remote(),
                        entry.action(), entry.status(), entry.result(), entry.detail());
            }
            table.print(out);
        }
        if (page.entries().size() >= limit) {
            spec.commandLine().getErr().println("(more entries after seq " + page.lastSeq() + ": vigil audit --since "
                    + page.lastSeq() + ")");
            spec.commandLine().getErr().flush();
        }
    }

    /** One entry, every field whole. */
    private void one(ControllerClient client, PrintWriter out) throws Exception {
        if (seq < 1) {
            throw new ControllerClient.Failure("SEQ: \"" + seq + "\" is not allowed (allowed: an entry's sequence number, "
                    + "1 or more, as 'vigil audit' lists them)", ExitCodes.CONFIG, null);
        }
        ControllerClient.Answer answer = client.get("/v1/audit" + ControllerClient.query("since", seq - 1, "limit", 1));
        JsonNode entry = answer.tree().path("entries").path(0);
        if (entry.path("seq").asLong() != seq) {
            throw new ControllerClient.Failure("no audit entry " + seq + " (it may be past its retention, or not yet "
                    + "written)", ExitCodes.CONFIG, null);
        }
        if (json()) {
            out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(entry));
            return;
        }
        AuditEntry audit = Documents.json().treeToValue(entry, AuditEntry.class);
        out.printf("Audit entry %d%n", audit.seq());
        field(out, "time", Table.time(audit.time()));
        field(out, "actor", audit.actor());
        field(out, "role", audit.role());
        field(out, "from", audit.remote());
        field(out, "action", audit.action());
        field(out, "status", String.valueOf(audit.status()));
        field(out, "result", audit.result());
        field(out, "detail", audit.detail());
    }

    private static void field(PrintWriter out, String label, String value) {
        out.printf("  %-7s %s%n", label, value == null ? "-" : value);
    }
}
