package dev.vigil.controller.rest;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.alerts.inbound.AlertmanagerWebhook;
import dev.vigil.alerts.suppression.SilenceRequest;
import dev.vigil.api.Problem;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.EndedJob;
import dev.vigil.api.cluster.ReasonRequest;
import dev.vigil.api.cluster.TokenRequest;
import dev.vigil.api.jobs.JobBatch;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.provisioning.AnsibleRun;
import dev.vigil.gpu.simulated.FaultSpec;
import dev.vigil.http.Request;
import io.netty.handler.codec.http.DefaultHttpHeaders;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every JSON body the controller and the agent bind, fuzzed through {@link Request#body}: any input
 * either binds or is refused with the binding's own {@link InvalidDocumentException} (a 400), never
 * another exception (a 500); a refused JSON object names the field at fault, and every refusal
 * has a detail and says what is allowed.
 *
 * <p>{@code ./mvnw verify} runs it on its seeds ({@code BodyBindingFuzzTestInputs}, the first byte
 * choosing the body type: {@code F} the first of {@link #BODIES}, {@code G} the second, ..., modulo
 * their number); {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration} (CI: .ci/run).
 */
class BodyBindingFuzzTest {
    /**
     * The request bodies, by route: cordon/uncordon/drain/resume and cancel share ReasonRequest. A new one
     * goes at the end with a seed of its own: the stored seeds keep their letters, so their types.
     */
    static final List<Class<?>> BODIES = List.of(JobSpec.class, AgentReport.class, ReasonRequest.class,
            TokenRequest.class, SilenceRequest.class, AlertmanagerWebhook.class, FaultSpec.class, AnsibleRun.class,
            JobBatch.class, EndedJob.class);
    /** The first byte that chooses the first body type: the seeds are written F{...}, G{...}. */
    private static final int FIRST = 'F';

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", "NaN", "-Infinity", "1e400",
            "9223372036854775808", "\"gpus\"", "\"nodes\"", "\"gpusPerNode\"", "\"name\"", "\"tenant\"", "\"kind\"",
            "\"inference\"", "\"migProfile\"", "\"1g.10gb\"", "\"replicas\"", "\"topology\"", "\"level\"",
            "\"max-leaves\"", "\"env\"", "\"command\"", "\"agentId\"", "\"inventoryHash\"", "\"inventory\"",
            "\"health\"", "\"events\"", "\"reason\"", "\"role\"", "\"matchers\"", "\"node=n\"", "\"startsAt\"",
            "\"endsAt\"", "\"duration\"", "\"1h\"", "\"comment\"", "\"version\"", "\"4\"", "\"alerts\"",
            "\"labels\"", "\"alertname\"", "\"status\"", "\"firing\"", "\"gpu\"", "\"xid\"", "\"2026-12-06T14:00:00Z\"",
            "\"playbook\"", "\"limit\"", "\"check\"", "\"exitCode\"", "\"unreachable\"",
            "\"jobs\"", "\"backendJob\"", "\"slurm:1\""})
    void everyBodyBindsOrIsRefusedNamingTheField(byte[] input) {
        if (input.length == 0) {
            return;
        }
        Class<?> type = BODIES.get(Math.floorMod((input[0] & 0xff) - FIRST, BODIES.size()));
        byte[] json = Arrays.copyOfRange(input, 1, input.length);
        Request request = new Request("POST", "/fuzz", Map.of(), Map.of(),
                new DefaultHttpHeaders().set("Content-Type", "application/json"), json, null);
        try {
            assertThat(request.body(type)).isNotNull();
        } catch (InvalidDocumentException e) {
            Problem problem = Problem.invalidInput(e, "/fuzz");
            assertThat(problem.field()).as("field of %s", e.getMessage()).isNotBlank();
            assertThat(problem.detail()).isNotBlank();
            assertThat(e.allowed()).as("allowed of %s", e.getMessage()).isNotBlank();
            if (isObject(json)) {
                assertThat(e.field()).as("a refused object names its field: %s", e.getMessage()).isNotEmpty();
            }
        }
    }

    private static boolean isObject(byte[] json) {
        try {
            // As UTF-8, the way the body is read: given bytes, Jackson would guess UTF-16 from NULs.
            JsonNode tree = Documents.json().readTree(new String(json, java.nio.charset.StandardCharsets.UTF_8));
            return tree instanceof ObjectNode;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
