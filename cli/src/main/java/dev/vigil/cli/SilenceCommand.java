package dev.vigil.cli;

import dev.vigil.alerts.suppression.Matcher;
import dev.vigil.controller.alerting.SilenceView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code vigil silence add|list|expire}: mute alerts for a while. */
@Command(name = "silence",
        mixinStandardHelpOptions = true,
        description = {
                "Add, list and expire silences.",
                "",
                "Alerts that all of a silence's matchers match are not",
                "notified while it is active (they still show in 'vigil alerts', marked silenced).",
                "",
                "Matchers are Alertmanager's: name=value, name!=value, name=~regex, name!~regex (a",
                "regex matches the whole value; quote values with spaces: node=\"gpu 7\"). A resolution",
                "is always told to a receiver that was told the alert fired. Adding and expiring need",
                "an operator token, and are in the audit log.",
                ""},
        subcommands = {SilenceCommand.Add.class, SilenceCommand.ListSilences.class, SilenceCommand.Expire.class},
        footer = {"", "Examples:",
                "  vigil silence add --matcher 'node=gpu-01' --duration 2h --comment 'reseating GPU 3'",
                "  vigil silence list",
                "  vigil silence expire 6f1c2f9e-8d1b-4c51-9a57-0b8f5d3e2a10"})
final class SilenceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The body of GET /v1/silences. */
    record Silences(List<SilenceView> silences) {
    }

    @Command(name = "add",
            mixinStandardHelpOptions = true,
            description = {
                    "Silence the alerts that match every --matcher.",
                    "",
                    "From now (or --starts) for --duration (or until --ends). Prints the",
                    "silence's id, for 'vigil silence expire'.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil silence add --matcher 'node=gpu-01' --duration 2h --comment 'reseating GPU 3'",
                    "  vigil silence add --matcher 'alertname=~\"GpuTemperature.*\"' --matcher 'node=~\"gpu-0[1-4]\"' \\",
                    "      --starts 2026-12-01T22:00:00Z --ends 2026-12-02T02:00:00Z --comment 'chiller maintenance'"})
    static final class Add extends ApiCommand {
        @Option(names = "--matcher", paramLabel = "MATCHER", required = true,
                description = "name=value, name!=value, name=~regex or name!~regex; repeat for more (all must match).")
        List<String> matchers;

        @Option(names = "--duration", paramLabel = "DURATION",
                description = "How long, e.g. 30m, 2h, 1d (default 2h unless --ends is given).")
        String duration;

        @Option(names = "--starts", paramLabel = "TIME", description = "When it starts (default: now), e.g. 2026-12-01T22:00:00Z.")
        String starts;

        @Option(names = "--ends", paramLabel = "TIME", description = "When it ends, instead of --duration.")
        String ends;

        @Option(names = "--comment", paramLabel = "TEXT", required = true,
                description = "Why: the next person on call reads it.")
        String comment;

        @Option(names = "--created-by", paramLabel = "NAME", description = "Who asks (default: the token's name).")
        String createdBy;

        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("matchers", matchers);
            if (starts != null) {
                body.put("startsAt", starts);
            }
            if (ends != null) {
                body.put("endsAt", ends);
            }
            if (duration != null || ends == null) {
                body.put("duration", duration == null ? "2h" : duration);
            }
            body.put("comment", comment);
            if (createdBy != null) {
                body.put("createdBy", createdBy);
            }
            ControllerClient.Answer answer = client.post("/v1/silences", body);
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            SilenceView silence = answer.as(SilenceView.class);
            out.printf("silence %s %s until %s: %s%n", silence.id(), Table.wire(silence.status()),
                    Table.time(silence.endsAt()), matchers(silence.matchers()));
        }

        @Override
        String optionFor(String field) {
            return switch (field.replaceAll("\\[.*", "")) {
                case "matchers" -> "--matcher";
                case "startsAt" -> "--starts";
                case "endsAt" -> "--ends";
                case "createdBy" -> "--created-by";
                default -> "--" + field;
            };
        }
    }

    @Command(name = "list",
            mixinStandardHelpOptions = true,
            description = {
                    "List silences, newest first.",
                    "",
                    "Active, pending (they start later) and expired ones (kept 5 days, to show",
                    "what was silenced).",
                    ""},
            footer = {"", "Examples:",
                    "  vigil silence list",
                    "  vigil silence list -o json | jq -r '.silences[] | select(.status == \"active\") | .id'"})
    static final class ListSilences extends ApiCommand {
        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            ControllerClient.Answer answer = client.get("/v1/silences");
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            List<SilenceView> silences = answer.as(Silences.class).silences();
            if (silences.isEmpty()) {
                out.println("No silences.");
                return;
            }
            Instant now = Instant.now();
            Table table = new Table("ID", "STATUS", "MATCHERS", "STARTS", "ENDS", "CREATED BY", "COMMENT");
            for (SilenceView silence : silences) {
                table.row(silence.id(), Table.wire(silence.status()), matchers(silence.matchers()),
                        Table.time(silence.startsAt()), Table.time(silence.endsAt()) + " (" + until(silence.endsAt(), now)
                                + ")", silence.createdBy(), silence.comment());
            }
            table.print(out);
        }
    }

    @Command(name = "expire",
            mixinStandardHelpOptions = true,
            description = {
                    "End a silence now: the alerts it muted are notified at once if they still fire.",
                    "It is kept, expired, for 5 days.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil silence expire 6f1c2f9e-8d1b-4c51-9a57-0b8f5d3e2a10   # an ID from 'vigil silence list'"})
    static final class Expire extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The silence's id.")
        String id;

        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            ControllerClient.Answer answer = client.delete("/v1/silences/" + ControllerClient.segment(id));
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            SilenceView silence = answer.as(SilenceView.class);
            out.printf("silence %s expired: %s%n", silence.id(), matchers(silence.matchers()));
        }
    }

    static String matchers(List<Matcher> matchers) {
        return matchers.stream().map(Matcher::toString).collect(Collectors.joining(", "));
    }

    /** {@code in 2h}, or {@code 5m ago}. */
    private static String until(Instant end, Instant now) {
        return end.isAfter(now) ? "in " + Table.ago(now, end).replace(" ago", "") : Table.ago(end, now);
    }
}
