package dev.vigil.cli;

import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The options every operator command shares ({@code --url}, {@code --token}, {@code -o}), and
 * where the controller's URL and the token come from when they are not given. Each of the two is
 * looked up on its own, the first found wins:
 * <ol>
 *   <li>the flag ({@code --url}, {@code --token});</li>
 *   <li>the environment ({@code VIGIL_URL}, {@code VIGIL_TOKEN});</li>
 *   <li>the context file ({@link ContextFile}: {@code $VIGIL_CONTEXT} or {@code ~/.config/vigil/context.yaml});</li>
 *   <li>{@code http://127.0.0.1:8080} and no token.</li>
 * </ol>
 */
final class ControllerOptions {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    /** How to print an answer. */
    enum Output { TABLE, JSON }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (for people) or json (the API's answer as is, pretty-printed; default: ${DEFAULT-VALUE}).")
    Output output;

    @Option(names = "--url", paramLabel = "URL",
            description = "The controller, e.g. http://ctl-1:8080 (default: $VIGIL_URL, else the context file, else "
                    + DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token (default: $VIGIL_TOKEN, else the context file). Visible to other users in 'ps': "
                    + "prefer VIGIL_TOKEN or 'vigil context set'.")
    String token;

    /** Where the controller is and which token to send, and where each came from. */
    record Target(String url, String urlFrom, String token, String tokenFrom, Path contextFile) {
    }

    /**
     * Looks the URL and the token up.
     *
     * @throws InvalidValueException    when a flag or variable is not usable (it names which)
     * @throws InvalidDocumentException when the context file is not (it names the file and the key)
     */
    Target target() {
        Path file = ContextFile.location();
        Optional<ContextFile.Settings> context = Optional.empty();
        String foundUrl;
        String urlFrom;
        if (url != null) {
            foundUrl = ContextFile.checkedUrl("--url", url);
            urlFrom = "--url";
        } else if (ContextFile.env("VIGIL_URL") != null) {
            foundUrl = ContextFile.checkedUrl("VIGIL_URL", ContextFile.env("VIGIL_URL"));
            urlFrom = "VIGIL_URL";
        } else {
            context = ContextFile.read(file);
            foundUrl = context.map(ContextFile.Settings::url).orElse(null);
            urlFrom = foundUrl != null ? file.toString() : "default";
            foundUrl = foundUrl != null ? foundUrl : DEFAULT_URL;
        }
        String foundToken;
        String tokenFrom;
        if (token != null) {
            foundToken = token.trim();
            tokenFrom = "--token";
        } else if (ContextFile.env("VIGIL_TOKEN") != null) {
            foundToken = ContextFile.env("VIGIL_TOKEN").trim();
            tokenFrom = "VIGIL_TOKEN";
        } else {
            if (context.isEmpty()) {
                context = ContextFile.read(file);
            }
            foundToken = context.map(ContextFile.Settings::token).orElse(null);
            tokenFrom = foundToken != null ? file.toString() : "none";
        }
        return new Target(foundUrl, urlFrom, foundToken, tokenFrom, file);
    }

    ControllerClient client() {
        Target target = target();
        return new ControllerClient(target.url(), target.token());
    }

    boolean json() {
        return output == Output.JSON;
    }
}
