package dev.vigil.cli;

import dev.vigil.api.jobs.JobRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;

/** {@code vigil cancel ID --reason TEXT}: cancel a job. */
@Command(name = "cancel",
        mixinStandardHelpOptions = true,
        description = {
                "Cancel a job: drop it from the queue, or stop it where it runs.",
                "",
                "Its GPUs are free for other jobs at once.",
                "A submitter token cancels the jobs it submitted; an operator token cancels any.",
                "A job that already finished cannot be cancelled (exit status 1). The reason goes",
                "into the job's history and the audit log.",
                ""},
        footer = {"", "Examples:",
                "  vigil cancel j-000042 --reason \"wrong learning rate\"",
                "  vigil cancel j-000042 --reason \"node maintenance, resubmit after 18:00\""})
final class CancelCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The job's id.")
    String id;

    @Option(names = "--reason", paramLabel = "TEXT", required = true,
            description = "Why, in words (1 to 500 characters): kept in the job's history and the audit log.")
    String reason;

    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.post("/v1/jobs/" + ControllerClient.segment(id) + "/cancel",
                Map.of("reason", reason));
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        JobRecord job = answer.as(JobRecord.class);
        out.printf("job %s (%s): %s%n", job.id(), job.spec().name(), Table.wire(job.state()));
        out.printf("  reason  %s%n", job.reason());
    }
}
