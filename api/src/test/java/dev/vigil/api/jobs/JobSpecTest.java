package dev.vigil.api.jobs;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class JobSpecTest {
    private static JobSpec bind(String json) {
        return Documents.readJson(json.getBytes(StandardCharsets.UTF_8), JobSpec.class, "request body");
    }

    private static InvalidDocumentException refused(String json) {
        try {
            bind(json);
        } catch (InvalidDocumentException e) {
            return e;
        }
        throw new AssertionError("expected the spec to be refused: " + json);
    }

    @Test
    void defaultsFillWhatIsLeftOut() {
        JobSpec spec = bind("{\"gpus\":4}");
        assertThat(spec.name()).isEqualTo("training");
        assertThat(spec.tenant()).isEqualTo("default");
        assertThat(spec.queue()).isEqualTo("default");
        assertThat(spec.waitForNodes()).isFalse();
        assertThat(bind("{\"gpus\":4,\"waitForNodes\":true}").waitForNodes()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"gpus\":9223372036854775808}                 | gpus",
            "{\"gpus\":\"1\"}                               | gpus",
            "{\"gpus\":1,\"name\":123}                      | name",
            "{\"gpus\":1,\"name\":\"\"}                     | name",
            "{\"gpus\":1,\"name\":\"  \"}                   | name",
            "{\"gpus\":1,\"name\":\"a\\u001b[31mred\"}      | name",
            "{\"gpus\":1,\"tenant\":\"bad tenant\"}         | tenant",
            "{\"gpus\":1,\"tenant\":\"\"}                   | tenant",
            "{\"gpus\":1,\"queue\":\"q/1\"}                 | queue",
            "{\"gpus\":1,\"pool\":\"p\\n\"}                 | pool",
            "{\"gpus\":1,\"priorityClass\":\"high!\"}       | priorityClass",
            "{\"gpus\":1,\"backend\":\"-x\"}                | backend",
            "{\"gpus\":1,\"image\":\"\"}                    | image",
            "{\"gpus\":1,\"models\":[\"\"]}                 | models[0]",
            "{\"gpus\":1,\"env\":{\"1X\":\"v\"}}            | env",
            "{\"gpus\":1,\"env\":{\"X\":\"a\\u0000b\"}}     | env.X",
            "{\"gpus\":1,\"command\":[\"a\",\"\\u0000\"]}   | command[1]",
            "{\"replicas\":1,\"migProfile\":\"123g.1gb\"}   | migProfile",
            "{\"gpus\":1,\"waitForNodes\":\"yes\"}          | waitForNodes",
    })
    void refusesNamingTheField(String json, String field) {
        assertThat(refused(json).field()).isEqualTo(field);
    }

    @Test
    void everyStringIsBounded() {
        String big = "x".repeat(100_000);
        for (String key : new String[]{"name", "tenant", "queue", "pool", "image", "priorityClass", "backend"}) {
            InvalidDocumentException e = refused("{\"gpus\":1,\"" + key + "\":\"" + big + "\"}");
            assertThat(e.field()).isEqualTo(key);
            assertThat(e.value()).hasSizeLessThan(100);
        }
        assertThat(refused("{\"gpus\":1,\"models\":[\"" + "H".repeat(65) + "\"]}").field()).isEqualTo("models[0]");
        assertThat(refused("{\"gpus\":1,\"command\":[\"" + big + "\"]}").field()).isEqualTo("command[0]");
        assertThat(refused("{\"gpus\":1,\"env\":{\"A\":\"" + big + "\"}}").field()).isEqualTo("env.A");
        assertThat(refused("{\"gpus\":1,\"command\":[" + "\"a\",".repeat(1024) + "\"a\"]}").field())
                .isEqualTo("command");
        assertThat(bind("{\"gpus\":1,\"name\":\"" + "n".repeat(128) + "\",\"image\":\"" + "i".repeat(512) + "\"}")
                .name()).hasSize(128);
    }

    @Test
    void commandArgumentsMayHoldNewlines() {
        assertThat(bind("{\"gpus\":1,\"command\":[\"bash\",\"-c\",\"a\\nb\"]}").command()).hasSize(3);
    }

    @Test
    void aPodTemplateIsOnlyForTheKubernetesBackendAndBounded() {
        String template = "{\\\"spec\\\":{}}";
        assertThat(bind("{\"gpus\":1,\"backend\":\"kubernetes\",\"podTemplate\":\"" + template + "\"}").podTemplate())
                .isEqualTo("{\"spec\":{}}");
        InvalidDocumentException slurm = refused("{\"gpus\":1,\"backend\":\"slurm\",\"podTemplate\":\"{}\"}");
        assertThat(slurm.field()).isEqualTo("backend");
        assertThat(slurm.getMessage()).contains("kubernetes with a podTemplate");
        assertThat(refused("{\"gpus\":1,\"podTemplate\":\"{}\"}").field()).as("no backend: the default").isEqualTo("backend");
        InvalidDocumentException big = refused("{\"gpus\":1,\"backend\":\"kubernetes\",\"podTemplate\":\""
                + "x".repeat(300_000) + "\"}");
        assertThat(big.field()).isEqualTo("podTemplate");
    }
}
