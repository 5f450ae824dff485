package dev.vigil.controller.config;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code kubernetes:} section of the controller's config. */
class KubernetesSettingsTest {
    private static ControllerConfig read(String yaml) {
        return Documents.readYaml(yaml, ControllerConfig.class, "controller.yaml");
    }

    private static String error(String yaml) {
        try {
            read(yaml);
        } catch (InvalidDocumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void aKubeconfigOrTheInClusterAccountWithDefaultsForTheRest() {
        KubernetesSettings outside = read("kubernetes: {kubeconfig: /etc/vigil/kubeconfig}").kubernetes();
        assertThat(outside).isEqualTo(new KubernetesSettings(Path.of("/etc/vigil/kubeconfig"), false, "vigil-jobs",
                Duration.ofSeconds(2)));
        KubernetesSettings inside = read("kubernetes: {inCluster: true, namespace: ml, poll: 5s}").kubernetes();
        assertThat(inside).isEqualTo(new KubernetesSettings(null, true, "ml", Duration.ofSeconds(5)));
        assertThat(read("member: c1").kubernetes()).as("absent: no kubernetes backend").isNull();
        assertThat(outside.evictionDeadline()).isEqualTo(Duration.ofMinutes(5));
        assertThat(outside.finishedTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(outside.startDeadline()).isEqualTo(Duration.ofMinutes(10));
        KubernetesSettings tuned = read("kubernetes: {inCluster: true, evictionDeadline: 30s, finishedTtl: 0s, "
                + "startDeadline: 2m}").kubernetes();
        assertThat(List.of(tuned.evictionDeadline(), tuned.finishedTtl(), tuned.startDeadline()))
                .containsExactly(Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(2));
    }

    @Test
    void errorsNameTheKeyAndWhatIsAllowed() {
        assertThat(error("kubernetes: {}")).contains("kubernetes.kubeconfig", "inCluster: true");
        assertThat(error("kubernetes: {kubeconfig: k, inCluster: true}")).contains("kubernetes.kubeconfig",
                "not both");
        assertThat(error("kubernetes: {inCluster: true, namespace: ML_Jobs}")).contains("kubernetes.namespace",
                "\"ML_Jobs\"");
        assertThat(error("kubernetes: {inCluster: true, poll: 2h}")).contains("kubernetes.poll", "from 100ms to 1m");
        assertThat(error("kubernetes: {inCluster: true, evictionDeadline: 0s}"))
                .contains("kubernetes.evictionDeadline", "\"0s\"", "from 1s to 24h");
        assertThat(error("kubernetes: {inCluster: true, finishedTtl: 40d}")).contains("kubernetes.finishedTtl",
                "from 0s (delete at once) to 30d");
        assertThat(error("kubernetes: {inCluster: true, startDeadline: 2d}")).contains("kubernetes.startDeadline",
                "from 1s to 24h");
        assertThat(error("kubernetes: {inCluster: true, context: prod}")).contains("unknown key \"kubernetes.context\"");
        assertThat(error("scheduler: {backend: kubernetes}")).contains("scheduler.backend",
                "together with a kubernetes: section");
    }
}
