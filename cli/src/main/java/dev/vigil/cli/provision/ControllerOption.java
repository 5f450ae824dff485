package dev.vigil.cli.provision;

import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.cli.ContextFile;
import dev.vigil.provisioning.install.ControllerRest;
import picocli.CommandLine.Option;

import java.util.Optional;

/**
 * Where provision reads and changes nodes: the controller's REST API with an operator's token.
 * Found as every vigil command finds it, each of the two on its own: the flag, the environment
 * ({@code VIGIL_URL}, {@code VIGIL_TOKEN}), the context file ({@code vigil context set}); then, for
 * the URL, the command's own fallback (install's first {@code --controller}) and the default.
 */
final class ControllerOption {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    @Option(names = "--url", paramLabel = "URL",
            description = "The controller's REST API (default: $VIGIL_URL, else the context file, else the first "
                    + "--controller, else " + DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "An operator's API token to read and drain nodes (default: $VIGIL_TOKEN, else the context file).")
    String token;

    /**
     * @param fallbackUrl the URL when neither flag, environment nor context file gives one; null for the default
     * @throws IllegalArgumentException when the context file is not valid (naming it and the key)
     */
    ControllerRest rest(String fallbackUrl) {
        String chosen = url != null ? url : ContextFile.env("VIGIL_URL");
        String key = token != null ? token : ContextFile.env("VIGIL_TOKEN");
        if (chosen == null || key == null) {
            Optional<ContextFile.Settings> context;
            try {
                context = ContextFile.read(ContextFile.location());
            } catch (InvalidDocumentException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            chosen = chosen != null ? chosen : context.map(ContextFile.Settings::url).orElse(fallbackUrl);
            key = key != null ? key : context.map(ContextFile.Settings::token).orElse(null);
        }
        return new ControllerRest(chosen == null ? DEFAULT_URL : chosen, key == null ? null : key.strip());
    }
}
