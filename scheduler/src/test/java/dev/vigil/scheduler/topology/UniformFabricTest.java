package dev.vigil.scheduler.topology;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The fabric simulations build: leaves of consecutive nodes under one spine, names as wide as the largest. */
class UniformFabricTest {
    @Test
    void leavesTakeConsecutiveNodesAndEveryNodeIsUnderExactlyOne() {
        Fabric fabric = Fabric.uniform(2, 5, "n");

        assertThat(fabric.spines()).singleElement().satisfies(spine -> {
            assertThat(spine.name()).isEqualTo("spine-1");
            assertThat(spine.leaves()).extracting(Fabric.Leaf::name).containsExactly("leaf-01", "leaf-02");
            assertThat(spine.leaves()).extracting(Fabric.Leaf::nodes)
                    .containsExactly(List.of("n[0-4]"), List.of("n[5-9]"));
        });
        assertThat(fabric.positions()).hasSize(10).containsEntry("n9", new Fabric.Position("leaf-02", "spine-1"));
    }

    @Test
    void nodeNamesArePaddedToTheWidthOfTheLastOne() {
        assertThat(Fabric.uniform(1, 10, "gpu-").spines().get(0).leaves().get(0).nodes()).containsExactly("gpu-[0-9]");
        assertThat(Fabric.uniform(1, 11, "gpu-").spines().get(0).leaves().get(0).nodes())
                .containsExactly("gpu-[00-10]");
    }
}
