package dev.vigil.cli.provision;

import dev.vigil.provisioning.install.ControllerRest;
import picocli.CommandLine.Option;

/** Where provision reads and changes nodes: the controller's REST API with an operator's token. */
final class ControllerOption {
    @Option(names = "--url", paramLabel = "URL",
            description = "The controller's REST API (default: $VIGIL_URL, else the first --controller).")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "An operator's API token to read and drain nodes (default: $VIGIL_TOKEN).")
    String token;

    ControllerRest rest(String fallbackUrl) {
        String chosen = url != null ? url : System.getenv("VIGIL_URL") != null ? System.getenv("VIGIL_URL") : fallbackUrl;
        String key = token != null ? token : System.getenv("VIGIL_TOKEN");
        return new ControllerRest(chosen == null ? "http://127.0.0.1:8080" : chosen, key == null ? null : key.strip());
    }
}
