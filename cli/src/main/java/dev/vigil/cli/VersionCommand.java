package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code vigil version}: this CLI's version and, when it answers, the controller's. */
@Command(name = "version",
        mixinStandardHelpOptions = true,
        description = {
                "Print the versions of this vigil and of the controller.",
                "",
                "The controller's comes from its GET /v1/version (no token needed); an unreachable",
                "controller is said so, and the exit status stays 0: this vigil still has a version.",
                ""},
        footer = {"", "Examples:",
                "  vigil version",
                "  vigil version --url http://ctl-1:8080 -o json"})
final class VersionCommand extends ApiCommand {
    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        String controller;
        try {
            JsonNode answer = client.get("/v1/version").tree();
            controller = answer.path("version").asText(null);
        } catch (ControllerClient.Failure e) {
            controller = null;
            spec.commandLine().getErr().println(spec.qualifiedName() + ": no controller version: " + e.getMessage());
            spec.commandLine().getErr().flush();
        }
        if (json()) {
            Map<String, Object> versions = new LinkedHashMap<>();
            versions.put("client", Vigil.version());
            versions.put("java", Runtime.version().toString());
            versions.put("controller", controller);
            versions.put("controllerUrl", client.url());
            out.println(Documents.json().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(versions));
            return;
        }
        out.printf("client      vigil %s (Java %s)%n", Vigil.version(), Runtime.version());
        out.printf("controller  %s%n", controller == null ? "- (" + client.url() + " did not answer)"
                : "vigil " + controller + " at " + client.url());
    }
}
