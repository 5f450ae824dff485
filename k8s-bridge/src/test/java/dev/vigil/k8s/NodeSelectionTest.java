package dev.vigil.k8s;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobSpec;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What a pod asks of its node by label, read from manifests and from pods others made, and held against nodes. */
@EnableKubernetesMockClient(crud = true)
class NodeSelectionTest {
    KubernetesClient client;

    /** A Job whose pods ask for H100 nodes in zone a or b, not tainted-pool=old, with a rack number above 3. */
    private static final String JOB = """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: train}
            spec:
              parallelism: 2
              template:
                spec:
                  nodeSelector: {gpu: h100}
                  affinity:
                    nodeAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                        nodeSelectorTerms:
                          - matchExpressions:
                              - {key: zone, operator: In, values: [a, b]}
                              - {key: pool, operator: NotIn, values: [old]}
                              - {key: rack, operator: Gt, values: ["3"]}
                          - matchFields:
                              - {key: metadata.name, operator: In, values: [spare-1]}
                      preferredDuringSchedulingIgnoredDuringExecution:
                        - weight: 1
                          preference:
                            matchExpressions: [{key: fast, operator: Exists}]
                  containers:
                    - name: main
                      image: pytorch:2.4
                      resources:
                        limits: {nvidia.com/gpu: 4}
            """;

    private static NodeSelection selection() {
        JobSpec spec = Manifests.read(JOB);
        return NodeSelection.of(spec.podTemplate());
    }

    @Test
    void aManifestsNodeSelectorAndRequiredAffinityAreKeptWithItsTemplateAndReadBack() {
        NodeSelection selection = selection();

        assertThat(selection.nodeSelector()).isEqualTo(Map.of("gpu", "h100"));
        assertThat(selection.terms()).hasSize(2);
        assertThat(selection.describe()).isEqualTo("nodeSelector gpu=h100; required node affinity "
                + "(zone In [a, b] and pool NotIn [old] and rack Gt [3]) or (metadata.name In [spare-1])");
        assertThat(NodeSelection.of(Manifests.read(JOB.replace("nodeSelector: {gpu: h100}", "nodeSelector: {}")
                .replaceAll("(?s)affinity:.*?containers:", "containers:")).podTemplate()))
                .as("asks nothing").isNull();
        assertThat(NodeSelection.of((String) null)).isNull();
    }

    @Test
    void aNodeMatchesWhenEverySelectorLabelIsEqualAndOneTermHolds() {
        NodeSelection selection = selection();
        Map<String, String> good = Map.of("gpu", "h100", "zone", "b", "rack", "7");

        assertThat(selection.matches("n1", good)).isTrue();
        assertThat(selection.why("n1", Map.of("zone", "a"))).isEqualTo("no label gpu (nodeSelector gpu=h100)");
        assertThat(selection.why("n1", Map.of("gpu", "a100"))).isEqualTo("label gpu=a100 (nodeSelector gpu=h100)");
        assertThat(selection.matches("n1", Map.of("gpu", "h100", "zone", "c", "rack", "7"))).as("In").isFalse();
        assertThat(selection.matches("n1", Map.of("gpu", "h100", "zone", "a", "rack", "7", "pool", "old")))
                .as("NotIn").isFalse();
        assertThat(selection.matches("n1", Map.of("gpu", "h100", "zone", "a", "rack", "7", "pool", "new")))
                .as("NotIn, another value").isTrue();
        assertThat(selection.matches("n1", Map.of("gpu", "h100", "zone", "a", "rack", "3"))).as("Gt, equal").isFalse();
        assertThat(selection.matches("n1", Map.of("gpu", "h100", "zone", "a", "rack", "x"))).as("Gt, no number")
                .isFalse();
        assertThat(selection.matches("spare-1", Map.of("gpu", "h100"))).as("the second term: its name").isTrue();
        assertThat(selection.why("spare-2", Map.of("gpu", "h100")))
                .startsWith("no term of its required node affinity holds ((zone In [a, b]");
        NodeSelection others = new NodeSelection(Map.of(), List.of(List.of(
                new NodeSelection.Requirement("rack", "Lt", List.of("3")),
                new NodeSelection.Requirement("fast", "Exists", null),
                new NodeSelection.Requirement("slow", "DoesNotExist", null))));
        assertThat(others.matches("n", Map.of("rack", "2", "fast", ""))).isTrue();
        assertThat(others.matches("n", Map.of("rack", "3", "fast", ""))).as("Lt, equal").isFalse();
        assertThat(others.matches("n", Map.of("rack", "2"))).as("Exists").isFalse();
        assertThat(others.matches("n", Map.of("rack", "2", "fast", "", "slow", "1"))).as("DoesNotExist").isFalse();
    }

    @Test
    void whatTheKubeletWouldRefuseIsRefusedNamingTheManifestsField() {
        String terms = "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                + ".nodeSelectorTerms";
        assertThat(refusal(JOB.replace("operator: In, values: [a, b]", "operator: Within, values: [a, b]")).field())
                .isEqualTo(terms + "[0] operator");
        assertThat(refusal(JOB.replace("values: [a, b]", "values: []")).field()).isEqualTo(terms + "[0] zone In");
        assertThat(refusal(JOB.replace("values: [\"3\"]", "values: [three]")).field()).isEqualTo(terms + "[0] rack Gt");
        assertThat(refusal(JOB.replace("key: metadata.name", "key: metadata.uid")).field())
                .isEqualTo(terms + "[1].matchFields[0].key");
        assertThat(refusal(JOB.replace("[{key: fast, operator: Exists}]", "[{key: fast, operator: Exists}]")
                .replace("{key: pool, operator: NotIn, values: [old]}", "{key: pool, operator: Exists, values: [x]}"))
                .field()).isEqualTo(terms + "[0] pool Exists");
    }

    private static InvalidValueException refusal(String manifest) {
        InvalidValueException refused = catchThrowableOfType(InvalidValueException.class,
                () -> Manifests.read(manifest));
        assertThat(refused).as("refused").isNotNull();
        return refused;
    }

    @Test
    void nodesAreListedWithTheirLabelsAndAPodOthersMadeWithWhatItAsksOfItsNode() {
        Kubernetes kubernetes = new Kubernetes(client);
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("gpu-01")
                .withLabels(Map.of("gpu", "h100", "zone", "a")).endMetadata().build()).create();
        client.pods().resource(new PodBuilder(KubernetesTest.podForVigil("ml", "picky", Map.of(), "nvidia.com/gpu",
                "1")).editSpec().withNodeSelector(Map.of("gpu", "h100")).withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey("zone").withOperator("In").withValues("a").endMatchExpression()
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .endAffinity().endSpec().build()).create();
        client.pods().resource(KubernetesTest.podForVigil("ml", "any", Map.of(), "nvidia.com/gpu", "1")).create();

        assertThat(kubernetes.nodes()).singleElement()
                .satisfies(n -> assertThat(n.labels()).isEqualTo(Map.of("gpu", "h100", "zone", "a")));
        List<UnclaimedPod> pods = kubernetes.unclaimedPods();
        UnclaimedPod picky = pods.stream().filter(p -> p.name().equals("picky")).findFirst().orElseThrow();
        assertThat(NodeSelection.of(picky.nodeConstraints()).describe())
                .isEqualTo("nodeSelector gpu=h100; required node affinity (zone In [a])");
        assertThat(Manifests.namespace(picky.nodeConstraints())).as("a template a job can keep").isNull();
        assertThat(pods.stream().filter(p -> p.name().equals("any")).findFirst().orElseThrow().nodeConstraints())
                .isNull();
    }
}
