package dev.vigil.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The RBAC shipped under {@code k8s/} grants what the bridge asks of the API server, and no more. */
class ShippedRbacTest {
    private static final Path RBAC = Path.of("..", "k8s", "vigil-rbac.yaml");

    private static List<HasMetadata> objects() throws IOException {
        try (InputStream in = Files.newInputStream(RBAC)) {
            return Serialization.unmarshal(in);
        }
    }

    private static List<String> verbs(ClusterRole role, String resource) {
        return role.getRules().stream().filter(r -> r.getApiGroups().equals(List.of(""))
                        && r.getResources().contains(resource))
                .map(PolicyRule::getVerbs).flatMap(List::stream).sorted().toList();
    }

    @Test
    void theClusterRoleCoversEachCallOfTheBridgeAndIsBoundToTheServiceAccount() throws IOException {
        List<HasMetadata> objects = objects();
        ClusterRole role = objects.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .findFirst().orElseThrow();

        assertThat(verbs(role, "pods")).containsExactly("create", "delete", "get", "list", "patch", "watch");
        assertThat(verbs(role, "pods/status")).containsExactly("patch");
        assertThat(verbs(role, "events")).containsExactly("create");
        assertThat(verbs(role, "pods/binding")).containsExactly("create");
        assertThat(verbs(role, "pods/eviction")).containsExactly("create");
        assertThat(verbs(role, "persistentvolumeclaims")).containsExactly("get", "patch");
        assertThat(verbs(role, "nodes")).containsExactly("get", "list", "patch", "watch");
        assertThat(verbs(role, "services")).containsExactly("create", "delete", "list");
        assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getApiGroups()).containsExactly(""));

        ClusterRoleBinding binding = objects.stream().filter(ClusterRoleBinding.class::isInstance)
                .map(ClusterRoleBinding.class::cast).findFirst().orElseThrow();
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName() + "@" + s.getNamespace()).isEqualTo("vigil-controller@vigil-system");
        });
        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .contains("Namespace/vigil-jobs", "ServiceAccount/vigil-controller");
    }
}
