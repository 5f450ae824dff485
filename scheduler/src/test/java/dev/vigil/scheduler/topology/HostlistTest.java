package dev.vigil.scheduler.topology;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostlistTest {
    @Test
    void expandsNamesRangesAndListsKeepingTheWidthOfLeadingZeros() {
        assertThat(Hostlist.expand("gpu-[001-003]", "f")).containsExactly("gpu-001", "gpu-002", "gpu-003");
        assertThat(Hostlist.expand("tux[0-1,12]", "f")).containsExactly("tux0", "tux1", "tux12");
        assertThat(Hostlist.expand("a, b ,c", "f")).containsExactly("a", "b", "c");
        assertThat(Hostlist.expand("n[2-2]", "f")).as("a one-host range").containsExactly("n2");
        assertThat(Hostlist.expand("n[7]x", "f")).as("a suffix after the range").containsExactly("n7x");
        assertThat(Hostlist.expand("[1-2]", "f")).as("a range with no prefix").containsExactly("1", "2");
        assertThat(Hostlist.expand("r[1,3],z", "f")).as("commas inside brackets do not split")
                .containsExactly("r1", "r3", "z");
        assertThat(Hostlist.expand("n[99990-99999]", "f")).hasSize(10).endsWith("n99999");
        assertThat(Hostlist.expand("n[0-99999]", "f")).as("the largest range").hasSize(100_000);
    }

    @Test
    void aBadHostListNamesTheFieldTheValueAndWhatIsAllowed() {
        for (String bad : Arrays.asList(null, "", " ", "a]", "n[1-2", "n[1-2-3]", "n[3-1]", "n[a-b]", "n[0-100000]",
                "a,,b")) {
            assertThatThrownBy(() -> Hostlist.expand(bad, "leaves[0].nodes[1]")).as(String.valueOf(bad))
                    .isInstanceOfSatisfying(InvalidValueException.class, e -> {
                        assertThat(e.field()).isEqualTo("leaves[0].nodes[1]");
                        assertThat(e.value()).isEqualTo(bad);
                        assertThat(e.allowed()).isEqualTo("host names or ranges like gpu-[001-032] or tux[0-3,12]");
                    });
        }
    }
}
