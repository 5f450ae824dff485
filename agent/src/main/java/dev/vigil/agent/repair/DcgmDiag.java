package dev.vigil.agent.repair;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads what {@code dcgmi diag -r N -j} prints: {@code "DCGM Diagnostic"} (DCGM 4; DCGM 3 calls it
 * {@code "DCGM GPU Diagnostic"}) holds {@code test_categories}, each with {@code tests}, each with
 * {@code results} per GPU ({@code entity_id}, or DCGM 3's {@code gpu_id}/{@code gpu_ids}) and a
 * {@code status} of Pass, Skip, Warn or Fail with {@code warnings}. A test fails when any result
 * says Fail; {@code runtime_error} fails the whole diagnostic.
 */
final class DcgmDiag {
    private DcgmDiag() {
    }

    /**
     * The diagnostic's checks, one per test and GPU it ran on.
     *
     * @throws IOException when {@code json} is not a dcgmi diag report
     */
    static List<Check> parse(String json) throws IOException {
        int start = json.indexOf('{');
        if (start < 0) {
            throw new IOException("no JSON in dcgmi's output");
        }
        JsonNode root = Documents.json().readTree(json.substring(start));
        JsonNode diag = root.has("DCGM Diagnostic") ? root.get("DCGM Diagnostic") : root.get("DCGM GPU Diagnostic");
        if (diag == null || !diag.isObject()) {
            throw new IOException("no \"DCGM Diagnostic\" object in dcgmi's output");
        }
        List<Check> checks = new ArrayList<>();
        if (diag.hasNonNull("runtime_error")) {
            checks.add(new Check("dcgmi diag", false, "runtime error: " + diag.get("runtime_error").asText()));
        }
        for (JsonNode category : diag.path("test_categories")) {
            for (JsonNode test : category.path("tests")) {
                String name = "diag " + test.path("name").asText("?");
                for (JsonNode result : test.path("results")) {
                    checks.add(check(name, result));
                }
            }
        }
        if (checks.isEmpty()) {
            throw new IOException("dcgmi's report holds no test result");
        }
        return checks;
    }

    private static Check check(String test, JsonNode result) {
        String status = result.path("status").asText("").strip().toLowerCase(Locale.ROOT);
        String where = entity(result);
        List<String> warnings = new ArrayList<>();
        for (JsonNode warning : result.path("warnings")) {
            warnings.add(warning.isObject() ? warning.path("warning").asText() : warning.asText());
        }
        String detail = status.isEmpty() ? "no status" : status;
        if (!warnings.isEmpty()) {
            detail += " (" + String.join("; ", warnings) + ")";
        }
        return new Check(test + (where == null ? "" : " " + where), !status.equals("fail"), detail);
    }

    /** {@code gpu 3}, {@code gpus 0,1}, or null when the result names none. */
    private static String entity(JsonNode result) {
        if (result.has("entity_id")) {
            String group = result.path("entity_group").asText("GPU").toLowerCase(Locale.ROOT);
            return group + " " + result.get("entity_id").asText();
        }
        if (result.has("gpu_id")) {
            return "gpu " + result.get("gpu_id").asText();
        }
        if (result.has("gpu_ids")) {
            return "gpus " + result.get("gpu_ids").asText();
        }
        return null;
    }
}
