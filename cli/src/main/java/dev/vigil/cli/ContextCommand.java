package dev.vigil.cli;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code vigil context set|show}: which controller the commands talk to, and with which token. */
@Command(name = "context",
        mixinStandardHelpOptions = true,
        description = {
                "Remember which controller to talk to, and your API token.",
                "",
                "They are kept in a context file: $VIGIL_CONTEXT, else",
                "$XDG_CONFIG_HOME/vigil/context.yaml, else ~/.config/vigil/context.yaml",
                "(YAML with the keys url and token, readable by its owner only).",
                "",
                "Each command looks the URL and the token up on their own; the first found wins:",
                "  1. --url, --token",
                "  2. VIGIL_URL, VIGIL_TOKEN",
                "  3. the context file",
                "  4. " + ControllerOptions.DEFAULT_URL + " and no token",
                ""},
        subcommands = {ContextCommand.Set.class, ContextCommand.Show.class},
        footer = {"", "Examples:",
                "  vigil context set --url http://ctl-1:8080 --token-file admin.token",
                "  vigil context show"})
final class ContextCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The token, typed or from a file. */
    static final class TokenSource {
        @Option(names = "--token", paramLabel = "TOKEN", description = "The API token (it ends up in your shell history; "
                + "--token-file does not).")
        String token;

        @Option(names = "--token-file", paramLabel = "FILE",
                description = "Read the token from this file, e.g. the controller's <dataDir>/admin.token.")
        Path file;
    }

    @Command(name = "set",
            mixinStandardHelpOptions = true,
            description = {
                    "Write the context file: the controller's URL and your token.",
                    "",
                    "The file is replaced as a whole (a URL alone leaves no token: a token",
                    "belongs to its cluster) and is created with mode 0600.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil context set --url http://ctl-1:8080 --token-file ~/alice.token",
                    "  VIGIL_CONTEXT=~/lab.yaml vigil context set --url http://lab:8080",
                    "  vigil context set --url https://ctl.example.org:8443 --token-file ~/ops.token"})
    static final class Set implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--url", paramLabel = "URL", required = true,
                description = "The controller, e.g. http://ctl-1:8080 (https:// when it has a certificate).")
        String url;

        @ArgGroup(exclusive = true)
        TokenSource token;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            Path file = ContextFile.location();
            try {
                String secret = token == null ? null : token.file != null ? readToken(token.file) : token.token;
                ContextFile.Settings settings = new ContextFile.Settings(ContextFile.checkedUrl("--url", url), secret);
                ContextFile.write(file, settings);
                PrintWriter out = spec.commandLine().getOut();
                out.printf("wrote %s: url %s, token %s%n", file, settings.url(),
                        settings.token() == null ? "none" : ContextFile.masked(settings.token()));
                out.flush();
                return ExitCodes.OK;
            } catch (InvalidValueException | InvalidDocumentException e) {
                err.println(spec.qualifiedName() + ": " + e.getMessage());
                err.flush();
                return ExitCodes.CONFIG;
            } catch (IOException e) {
                err.println(spec.qualifiedName() + ": cannot write " + file + ": " + e);
                err.flush();
                return ExitCodes.FAILED;
            }
        }

        private static String readToken(Path file) throws IOException {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (NoSuchFileException e) {
                throw new InvalidValueException("--token-file", file, "a file that holds an API token");
            }
            if (text.isEmpty()) {
                throw new InvalidValueException("--token-file", file, "a file that holds an API token (it is empty)");
            }
            return text;
        }
    }

    @Command(name = "show",
            mixinStandardHelpOptions = true,
            description = {
                    "Show which controller and token the commands would use.",
                    "",
                    "And where each comes from: a flag, the environment, the context file or",
                    "the default. The token is shown by its public id only, never in full.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil context show",
                    "  VIGIL_URL=http://ctl-2:8080 vigil context show -o json"})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControllerOptions controller;

        @Override
        public Integer call() throws Exception {
            ControllerOptions.Target target;
            try {
                target = controller.target();
            } catch (InvalidValueException | InvalidDocumentException e) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
                spec.commandLine().getErr().flush();
                return ExitCodes.CONFIG;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (controller.json()) {
                Map<String, Object> shown = new LinkedHashMap<>();
                shown.put("file", target.contextFile().toString());
                shown.put("fileExists", Files.exists(target.contextFile()));
                shown.put("url", target.url());
                shown.put("urlFrom", target.urlFrom());
                shown.put("token", ContextFile.masked(target.token()));
                shown.put("tokenFrom", target.tokenFrom());
                out.println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(shown));
            } else {
                out.printf("context file  %s%s%n", target.contextFile(),
                        Files.exists(target.contextFile()) ? "" : " (does not exist)");
                out.printf("url           %s  (from %s)%n", target.url(), target.urlFrom());
                out.printf("token         %s%n", target.token() == null ? "none"
                        : ContextFile.masked(target.token()) + "  (from " + target.tokenFrom() + ")");
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
