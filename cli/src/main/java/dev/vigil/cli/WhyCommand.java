package dev.vigil.cli;

import dev.vigil.api.jobs.WaitReason;
import dev.vigil.api.jobs.WhyPending;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;

/** {@code vigil why ID}: why a job waits, with the numbers. */
@Command(name = "why",
        mixinStandardHelpOptions = true,
        description = {
                "Say why a job is not running, with the numbers behind it.",
                "",
                "What it waits for: its tenant's quota (what the tenant holds, its quota, what its",
                "cohort could lend), room (free GPUs by leaf switch against what it asks), a",
                "reservation (a blocked gang holds the nodes it fits on, from a time its runtime",
                "limit would overrun), a topology no idle cluster could give, cordoned or unhealthy",
                "GPUs, no node with its GPU model, pool or MIG profile, or its depth in the queue.",
                "Then its priority, its tenant's fair-share factor and its place in the queue. For",
                "a running job: where it holds GPUs; for a finished one: how it ended.",
                ""},
        footer = {"", "Examples:",
                "  vigil why j-000042",
                "  vigil why j-000042 -o json | jq -r .reason"})
final class WhyCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The job's id.")
    String id;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/jobs/" + ControllerClient.segment(id) + "/why");
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        WhyPending why = answer.as(WhyPending.class);
        out.printf("%s is %s%s%n", why.job(), Table.wire(why.state()),
                why.reason() == null || why.reason() == WaitReason.NONE ? "" : ", waiting for: "
                        + Table.wire(why.reason()));
        out.printf("  %s%n", why.summary());
        if (why.position() != null) {
            out.printf("  position %d of %d in the queue%n", why.position(), why.queued());
        }
        if (!why.details().isEmpty()) {
            out.println();
            for (String detail : why.details()) {
                out.printf("  - %s%n", detail);
            }
        }
    }
}
