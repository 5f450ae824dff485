package dev.vigil.scheduler.topology;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FabricTest {
    @Test
    void leavesListTheirNodesAsSlurmHostLists() {
        Fabric fabric = new Fabric(List.of(new Fabric.Spine("s1", List.of(
                new Fabric.Leaf("leaf-a", List.of("gpu-[008-009]", "rack[1-2]-gpu[1-2]"))))));
        assertThat(fabric.positions()).containsOnlyKeys("gpu-008", "gpu-009", "rack1-gpu1", "rack1-gpu2",
                "rack2-gpu1", "rack2-gpu2");
    }

    @Test
    void aMalformedOrEmptyHostListNamesItsPlaceInTheFabric() {
        for (String bad : new String[]{"gpu-[9-3]", "gpu-[1-3", " "}) {
            assertThatThrownBy(() -> new Fabric(List.of(new Fabric.Spine("s1", List.of(
                    new Fabric.Leaf("leaf-a", List.of("gpu-1")), new Fabric.Leaf("leaf-b", List.of("gpu-2", bad)))))))
                    .as(bad)
                    .isInstanceOf(InvalidValueException.class)
                    .hasMessageContaining("spines[0].leaves[1].nodes[1]: \"" + bad + "\"")
                    .hasMessageContaining("ranges like gpu[01-32]");
        }
    }

    @Test
    void aNodeUnderTwoLeavesIsRefusedWithBothLeavesNamed() {
        assertThatThrownBy(() -> new Fabric(List.of(new Fabric.Spine("s1", List.of(
                new Fabric.Leaf("leaf-a", List.of("gpu-[01-04]")),
                new Fabric.Leaf("leaf-b", List.of("gpu-[04-08]")))))))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("spines[0].leaves[1].nodes[0]: \"gpu-04\"")
                .hasMessageContaining("under leaf-a too");
    }

    @Test
    void nodesTheFabricDoesNotListSitAloneAndWithoutAFabricAllShareOneLeaf() {
        Fabric fabric = Fabric.uniform(2, 2, "n");
        assertThat(fabric.positionOf("n2", fabric.positions())).isEqualTo(new Fabric.Position("leaf-02", "spine-1"));
        assertThat(fabric.positionOf("stray", fabric.positions()).leaf()).isEqualTo("unlisted:stray");
        assertThat(Fabric.none().positionOf("any", Fabric.none().positions()).leaf()).isEqualTo(Fabric.DEFAULT_LEAF);
    }
}
