package dev.vigil.cli;

import dev.vigil.api.cluster.TokenInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code vigil token create|list|revoke}: the controller's API tokens. Needs an admin token. */
@Command(name = "token",
        mixinStandardHelpOptions = true,
        description = {
                "Create, list and revoke API tokens.",
                "",
                "A token has a name (who it is for; the audit log shows it) and a role:",
                "  viewer     read the fleet: nodes, GPUs, events, members, jobs, alerts, silences",
                "  submitter  also submit jobs, and cancel its own (ML engineers)",
                "  operator   also cordon, uncordon, drain and resume nodes; cancel any job; add and",
                "             expire silences; send Alertmanager's webhook (give Alertmanager its own)",
                "  admin      also read the audit log and manage tokens",
                "  agent      only report as a node agent",
                "The controller keeps only a hash of each token: the secret is shown once,",
                "when it is created. Every token command needs an admin token.",
                ""},
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class},
        footer = {"", "Examples:",
                "  vigil token create --name alice --role operator",
                "  vigil token list",
                "  vigil token revoke 3f9a01c2de"})
final class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The body of GET /v1/tokens. */
    record Tokens(List<TokenInfo> tokens) {
    }

    @Command(name = "create",
            mixinStandardHelpOptions = true,
            description = {
                    "Issue a new API token and print its secret, this once.",
                    "",
                    "The secret is shown this once: the controller keeps only a hash. Hand it",
                    "over through a secret store, not a chat.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil token create --name alice --role submitter",
                    "  vigil token create --name ci --role viewer -o json | jq -r .secret > ci.token"})
    static final class Create extends ApiCommand {
        @Option(names = "--name", paramLabel = "NAME", required = true,
                description = "Who the token is for, e.g. alice or ci-pipeline: letters, digits, '.', '_', '@', '-'.")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", required = true,
                description = "viewer, submitter, operator, admin or agent.")
        String role;

        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            ControllerClient.Answer answer = client.post("/v1/tokens", Map.of("name", name, "role", role));
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            TokenInfo token = answer.as(TokenInfo.class);
            out.printf("token %s for %s, role %s%n", token.id(), token.name(), Table.wire(token.role()));
            out.println();
            out.println(token.secret());
            out.println();
            out.println("This secret will not be shown again: the controller keeps only its hash. Store it now,");
            out.println("e.g. in a file (mode 0600) for 'vigil context set --url " + client.url() + " --token-file FILE'.");
        }
    }

    @Command(name = "list",
            mixinStandardHelpOptions = true,
            description = {
                    "List the API tokens, never their secrets.",
                    "",
                    "Id, name, role and when each was created. The controller does not have",
                    "the secrets: it keeps only their hashes.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil token list",
                    "  vigil token list -o json | jq -r '.tokens[] | select(.role == \"admin\") | .id'"})
    static final class ListTokens extends ApiCommand {
        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            ControllerClient.Answer answer = client.get("/v1/tokens");
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            Instant now = Instant.now();
            Table table = new Table("ID", "NAME", "ROLE", "CREATED", "AGE");
            for (TokenInfo token : answer.as(Tokens.class).tokens()) {
                table.row(token.id(), token.name(), Table.wire(token.role()), Table.time(token.created()),
                        Table.ago(token.created(), now));
            }
            table.print(out);
        }
    }

    @Command(name = "revoke",
            mixinStandardHelpOptions = true,
            description = {
                    "Revoke an API token: it stops working at once.",
                    "",
                    "From now on the controller answers it with 401. The last admin token",
                    "cannot be revoked (issue another admin token first).",
                    ""},
            footer = {"", "Examples:",
                    "  vigil token revoke 3f9a01c2de           # an ID from 'vigil token list'"})
    static final class Revoke extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID",
                description = "The token's id, as 'vigil token list' shows it (or the whole token, vgl_<id>_...).")
        String id;

        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            String tokenId = id.matches("vgl_[0-9a-f]{10}_.+") ? id.substring(4, 14) : id;
            ControllerClient.Answer answer = client.delete("/v1/tokens/" + ControllerClient.segment(tokenId));
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            TokenInfo token = answer.as(TokenInfo.class);
            out.printf("revoked token %s (%s, role %s)%n", token.id(), token.name(), Table.wire(token.role()));
        }
    }
}
