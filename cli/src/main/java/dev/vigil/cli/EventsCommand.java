package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.ClusterEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/** {@code vigil events}: the fleet's event log, once or followed. */
@Command(name = "events",
        mixinStandardHelpOptions = true,
        description = {
                "Print the fleet's events, oldest first; --follow for new ones.",
                "",
                "XIDs and health changes the agents reported, node state transitions with",
                "who made them and why, and what the health reflex did. Each event has a",
                "sequence number (SEQ); --since N prints those after N.",
                "",
                "--follow keeps printing new events (it asks every second) until Ctrl-C;",
                "if the controller goes away or is briefly unavailable, it says so and",
                "keeps asking. With -o json, --follow prints one event per line (JSON",
                "Lines).",
                ""},
        footer = {"", "Examples:",
                "  vigil events --node gpu-017",
                "  vigil events --since 4200 --limit 50",
                "  vigil events --follow",
                "  vigil events --follow -o json | jq -c 'select(.severity == \"critical\")'"})
final class EventsCommand extends ApiCommand {
    static final Duration POLL = Duration.ofSeconds(1);

    /** The body of GET /v1/events. */
    record Page(List<ClusterEvent> events, long lastSeq) {
    }

    @Option(names = "--since", paramLabel = "SEQ", defaultValue = "0",
            description = "Only events after this sequence number (default: ${DEFAULT-VALUE}, from the oldest kept).")
    long since;

    @Option(names = "--node", paramLabel = "NAME", description = "Only this node's events.")
    String node;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
            description = "At most this many events per request, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until Ctrl-C.")
    boolean follow;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        Table table = new Table("SEQ", "TIME", "NODE", "GPU", "KIND", "SEVERITY", "ACTOR", "MESSAGE");
        long after = since;
        boolean answered = false;
        boolean waiting = false;
        while (true) {
            ControllerClient.Answer answer;
            try {
                answer = client.get("/v1/events" + ControllerClient.query("since", after, "limit", limit, "node", node));
            } catch (ControllerClient.Failure e) {
                if (!follow || !e.passing() || !answered) {
                    throw e;
                }
                if (!waiting) {
                    fail(e.getMessage() + "; asking again every second", ExitCodes.FAILED);
                    waiting = true;
                }
                Thread.sleep(POLL.toMillis());
                continue;
            }
            answered = true;
            if (waiting) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": the controller answers again");
                spec.commandLine().getErr().flush();
                waiting = false;
            }
            int count;
            if (json()) {
                JsonNode page = answer.tree();
                if (follow) {
                    for (JsonNode event : page.path("events")) {
                        out.println(Documents.json().writeValueAsString(event));
                    }
                    out.flush();
                } else {
                    out.println(answer.pretty());
                }
                count = page.path("events").size();
                after = page.path("lastSeq").asLong(after);
            } else {
                Page page = answer.as(Page.class);
                for (ClusterEvent event : page.events()) {
                    table.row(event.seq(), Table.time(event.time()), event.node(), event.gpu(), event.kind(),
                            Table.wire(event.severity()), event.actor(), event.message());
                }
                count = page.events().size();
                after = Math.max(after, page.lastSeq());
                if (count > 0 || follow) {
                    table.print(out);
                } else {
                    out.println("No events after seq " + since + (node == null ? "" : " for node " + node) + ".");
                }
            }
            if (!follow) {
                if (count >= limit) {
                    spec.commandLine().getErr().println("(more events after seq " + after + ": vigil events --since "
                            + after + (node == null ? "" : " --node " + node) + ")");
                    spec.commandLine().getErr().flush();
                }
                return;
            }
            if (count < limit) {
                Thread.sleep(POLL.toMillis());
            }
        }
    }
}
