package dev.vigil.sim.cluster;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.scheduler.policy.SchedulerPolicy;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.scheduler.topology.NodeCapacity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimClusterTest {
    static SimCluster cluster(String yaml) {
        return SimCluster.build("test", Documents.readYaml(yaml, ClusterFile.class, "cluster.yaml"), null,
                "cluster.yaml");
    }

    @Test
    void theShippedBenchmarkClusterIs32LeavesOf32HgxNodesUnderOneSpine() {
        SimCluster cluster = SimCluster.load(Path.of("clusters/h100-1024.yaml"));

        assertThat(cluster.nodes()).hasSize(1024);
        assertThat(cluster.gpus()).isEqualTo(8192);
        assertThat(cluster.leaves()).isEqualTo(32);
        assertThat(cluster.spines()).isEqualTo(1);
        assertThat(cluster.fabric().spines().get(0).leaves()).allSatisfy(leaf -> assertThat(leaf.nodes()).hasSize(32));
        NodeCapacity first = cluster.nodes().get(0);
        assertThat(first.name()).isEqualTo("h100-0000");
        assertThat(first.model()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(first.gpus()).extracting(NodeCapacity.Gpu::nvlinkDomain).containsOnly(0);
        assertThat(first.gpus()).extracting(NodeCapacity.Gpu::numa).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
        assertThat(cluster.leafOf("h100-0031")).isZero();
        assertThat(cluster.leafOf("h100-0032")).isEqualTo(1);
    }

    @Test
    void groupsStartOnLeavesOfTheirOwnAndLeavesFillSpinesInOrder() {
        SimCluster cluster = cluster("""
                leavesPerSpine: 2
                groups:
                  - {name: a, model: NVIDIA H100 80GB HBM3, count: 5, nodesPerLeaf: 2, gpusPerNode: 8}
                  - {name: b, model: NVIDIA L40S, count: 1, nodesPerLeaf: 4, gpusPerNode: 4, layout: pcie}
                """);

        List<Fabric.Spine> spines = cluster.fabric().spines();
        assertThat(spines).extracting(Fabric.Spine::name).containsExactly("spine-1", "spine-2");
        assertThat(spines.get(0).leaves()).extracting(Fabric.Leaf::nodes)
                .containsExactly(List.of("a-00", "a-01"), List.of("a-02", "a-03"));
        assertThat(spines.get(1).leaves()).extracting(Fabric.Leaf::nodes)
                .containsExactly(List.of("a-04"), List.of("b-00"));
        NodeCapacity pcie = cluster.nodes().get(5);
        assertThat(pcie.gpus()).extracting(NodeCapacity.Gpu::nvlinkDomain).containsExactly(0, 1, 2, 3);
        assertThat(pcie.gpus()).extracting(NodeCapacity.Gpu::numa).containsExactly(0, 0, 1, 1);
        assertThat(cluster.gpus()).isEqualTo(44);
    }

    @Test
    void migCutsTheFirstGpusOfEveryNodeAndFractionsMapToTheSmallestSliceThatCoversThem() {
        SimCluster cluster = cluster("""
                groups:
                  - name: small
                    model: NVIDIA A100-SXM4-80GB
                    count: 2
                    nodesPerLeaf: 2
                    gpusPerNode: 8
                    mig: {gpus: 2, profile: 1g.10gb, instances: 7}
                  - name: big
                    model: NVIDIA H100 80GB HBM3
                    count: 1
                    nodesPerLeaf: 1
                    gpusPerNode: 8
                    mig: {gpus: 1, profile: 3g.40gb, instances: 2}
                """);

        NodeCapacity node = cluster.nodes().get(0);
        assertThat(node.gpus().get(0).mig()).hasSize(7).allSatisfy(s -> assertThat(s.profile()).isEqualTo("1g.10gb"));
        assertThat(node.gpus().get(1).mig()).hasSize(7);
        assertThat(node.gpus().get(2).mig()).isEmpty();
        // 1g is 143 thousandths of a GPU (1 of 7 compute slices), 3g is 429.
        assertThat(cluster.smallestCovering(143, List.of())).contains("1g.10gb");
        assertThat(cluster.smallestCovering(144, List.of())).contains("3g.40gb");
        assertThat(cluster.smallestCovering(429, List.of())).contains("3g.40gb");
        assertThat(cluster.smallestCovering(430, List.of())).isEmpty();
        assertThat(cluster.smallestCovering(100, List.of("H100"))).contains("3g.40gb");
        assertThat(cluster.smallestCovering(100, List.of("V100"))).isEqualTo(Optional.empty());
    }

    @Test
    void aNodeListIsLaidOutInFileOrderAndCanBeThinned(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("nodes.csv"), """
                sn,cpu_milli,memory_mib,gpu,model
                n-0,64000,262144,2,P100
                n-1,64000,262144,2,P100
                n-2,96000,786432,8,V100M32
                n-3,96000,786432,8,V100M32
                n-4,32000,131072,1,T4
                """);
        Files.writeString(dir.resolve("list.yaml"), "nodeList: {file: nodes.csv, nodesPerLeaf: 2}\n");
        Files.writeString(dir.resolve("thin.yaml"), "nodeList: {file: nodes.csv, nodesPerLeaf: 2, every: 2}\n");

        SimCluster all = SimCluster.load(dir.resolve("list.yaml"));
        SimCluster thin = SimCluster.load(dir.resolve("thin.yaml"));

        assertThat(all.name()).isEqualTo("list");
        assertThat(all.nodes()).extracting(NodeCapacity::name).containsExactly("n-0", "n-1", "n-2", "n-3", "n-4");
        assertThat(all.gpus()).isEqualTo(21);
        assertThat(all.leaves()).isEqualTo(3);
        assertThat(all.leafOf("n-2")).isEqualTo(1);
        assertThat(all.nodes().get(2).model()).isEqualTo("V100M32");
        assertThat(all.nodes().get(2).gpus()).extracting(NodeCapacity.Gpu::nvlinkDomain)
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(thin.nodes()).extracting(NodeCapacity::name).containsExactly("n-0", "n-2", "n-4");
    }

    @Test
    void aBadNodeListRowNamesTheFileLineColumnAndValue(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("nodes.csv"),
                "sn,cpu_milli,memory_mib,gpu,model\nn-0,1,1,2,P100\nn-1,1,1,two,P100\n");
        Files.writeString(dir.resolve("c.yaml"), "nodeList: {file: nodes.csv, nodesPerLeaf: 2}\n");

        assertThatThrownBy(() -> SimCluster.load(dir.resolve("c.yaml")))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessage(dir.resolve("nodes.csv") + ": line 3, column 4 (gpu): \"two\" is not allowed "
                        + "(allowed: a whole number from 1 to 32)");
    }

    @Test
    void bindingErrorsNameTheFieldTheValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> cluster("groups: [{name: a, model: X, count: 2, nodesPerLeaf: 2, gpuPerNode: 8}]"))
                .hasMessageContaining("unknown key \"groups[0].gpuPerNode\"").hasMessageContaining("gpusPerNode");
        assertThatThrownBy(() -> cluster("groups: [{name: a, model: X, count: 2, nodesPerLeaf: 2, gpusPerNode: 0}]"))
                .hasMessage("cluster.yaml: groups[0].gpusPerNode: \"0\" is not allowed (allowed: 1 to 32)");
        assertThatThrownBy(() -> cluster(
                "groups: [{name: a, model: X, count: 2, leaves: 1, nodesPerLeaf: 2, gpusPerNode: 8}]"))
                .hasMessage("cluster.yaml: groups[0].count: \"2\" is not allowed (allowed: either count or leaves, "
                        + "not both)");
        assertThatThrownBy(() -> cluster("""
                groups: [{name: a, model: X, count: 1, nodesPerLeaf: 1, gpusPerNode: 8,
                          mig: {gpus: 1, profile: 3g.40gb, instances: 3}}]
                """))
                .hasMessage("cluster.yaml: groups[0].mig.instances: \"3\" is not allowed (allowed: 1 to 2 (a GPU has "
                        + "7 compute slices; 3g.40gb takes 3))");
        assertThatThrownBy(() -> cluster("groups: [{name: a, model: X, count: 1, nodesPerLeaf: 1, gpusPerNode: 8, "
                + "layout: nvswitch}]"))
                .hasMessageContaining("groups[0].layout").hasMessageContaining("nvswitch")
                .hasMessageContaining("hgx, pcie");
        assertThatThrownBy(() -> cluster("""
                groups: [{name: a, model: X, count: 1, nodesPerLeaf: 1, gpusPerNode: 8}]
                scheduler: {maxJobsPerCycle: 0}
                """))
                .hasMessage("cluster.yaml: scheduler.maxJobsPerCycle: \"0\" is not allowed (allowed: 1 to 1000000)");
        assertThatThrownBy(() -> cluster("leavesPerSpine: 4"))
                .hasMessage("cluster.yaml: groups: \"(none)\" is not allowed (allowed: at least one node group, "
                        + "or a nodeList)");
        assertThatThrownBy(() -> SimCluster.load(Path.of("no/such/cluster.yaml")))
                .hasMessage("no/such/cluster.yaml: file not found");
    }
    @Test
    void theSchedulerPolicyOfAClusterFileSetsTheLocalityWait() {
        assertThat(cluster("""
                groups: [{name: a, model: X, count: 1, nodesPerLeaf: 1, gpusPerNode: 8}]
                scheduler: {localityWait: 5m}
                """).policy().localityWait()).isEqualTo(Duration.ofMinutes(5));
        assertThat(cluster("""
                groups: [{name: a, model: X, count: 1, nodesPerLeaf: 1, gpusPerNode: 8}]
                """).policy().localityWait()).isEqualTo(SchedulerPolicy.DEFAULT_LOCALITY_WAIT);
    }
}
