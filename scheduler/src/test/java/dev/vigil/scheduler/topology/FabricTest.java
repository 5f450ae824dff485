package dev.vigil.scheduler.topology;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FabricTest {
    @Test
    void hostListsExpandLikeSlurmsKeepingTheWidthOfLeadingZeros() {
        assertThat(Hostlist.expand("gpu-[008-011]", "nodes")).containsExactly("gpu-008", "gpu-009", "gpu-010",
                "gpu-011");
        assertThat(Hostlist.expand("tux[0-1,12],login", "nodes")).containsExactly("tux0", "tux1", "tux12", "login");
        assertThat(Hostlist.expand("rack[1-2]-gpu", "nodes")).containsExactly("rack1-gpu", "rack2-gpu");
    }

    @Test
    void aMalformedHostListNamesTheFieldAndWhatIsAllowed() {
        assertThatThrownBy(() -> Hostlist.expand("gpu-[9-3]", "spines[0].leaves[1].nodes[0]"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("spines[0].leaves[1].nodes[0]: \"gpu-[9-3]\"")
                .hasMessageContaining("ranges like gpu-[001-032]");
        assertThatThrownBy(() -> Hostlist.expand("gpu-[1-x]", "nodes")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> Hostlist.expand("gpu-[1-3", "nodes")).isInstanceOf(InvalidValueException.class);
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
