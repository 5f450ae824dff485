package dev.vigil.cli;

import dev.vigil.api.cluster.AuditEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
                ""},
        footer = {"", "Examples:",
                "  vigil audit",
                "  vigil audit --since 120 --limit 20",
                "  vigil audit -o json | jq '.entries[] | select(.status >= 400)'        # refused"})
final class AuditCommand extends ApiCommand {
    /** The body of GET /v1/audit. */
    record Page(List<AuditEntry> entries, long lastSeq) {
    }

    @Option(names = "--since", paramLabel = "SEQ", defaultValue = "0",
            description = "Only entries after this sequence number (default: ${DEFAULT-VALUE}, from the oldest kept).")
    long since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
            description = "At most this many entries, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/audit" + ControllerClient.query("since", since, "limit", limit));
        Page page = answer.as(Page.class);
        if (json()) {
            out.println(answer.pretty());
        } else if (page.entries().isEmpty()) {
            out.println("No audit entries after seq " + since + ".");
        } else {
            Table table = new Table("SEQ", "TIME", "ACTOR", "ROLE", "FROM", "ACTION", "STATUS", "RESULT", "DETAIL");
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
}
