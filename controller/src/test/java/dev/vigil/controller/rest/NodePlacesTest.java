package dev.vigil.controller.rest;

import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodePlacesTest {
    private final NodePlaces places = new NodePlaces(Map.of("gpu-1", "training", "gpu-2", "inference"),
            Map.of("gpu-1", "leaf \"7\"", "gpu-3", "leaf-3"));

    @Test
    void aNodeWithAPoolAndALeafGetsBothAsJsonStrings() throws Exception {
        String json = places.addTo("gpu-1", "{\"name\":\"gpu-1\",\"gpus\":8}");

        var node = Documents.json().readTree(json);
        assertThat(node.get("name").asText()).isEqualTo("gpu-1");
        assertThat(node.get("gpus").asInt()).isEqualTo(8);
        assertThat(node.get("pool").asText()).isEqualTo("training");
        assertThat(node.get("leaf").asText()).isEqualTo("leaf \"7\"");
    }

    @Test
    void onlyWhatTheNodeHasIsAdded() {
        assertThat(places.addTo("gpu-2", "{\"name\":\"gpu-2\"}")).isEqualTo("{\"name\":\"gpu-2\",\"pool\":\"inference\"}");
        assertThat(places.addTo("gpu-3", "{\"name\":\"gpu-3\"}")).isEqualTo("{\"name\":\"gpu-3\",\"leaf\":\"leaf-3\"}");
        assertThat(places.addTo("gpu-4", "{\"name\":\"gpu-4\"}")).isEqualTo("{\"name\":\"gpu-4\"}");
    }
}
