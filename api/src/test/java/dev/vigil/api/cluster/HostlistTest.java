package dev.vigil.api.cluster;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostlistTest {
    private static final String ALLOWED = "host names or ranges like gpu[01-32], tux[0-3,12] or rack[1-2]-gpu[1-8], "
            + "separated by commas";

    @Test
    void expandsNamesRangesAndListsKeepingTheWidthOfTheFirstBound() {
        assertThat(Hostlist.expand("gpu-[001-003]", "f")).containsExactly("gpu-001", "gpu-002", "gpu-003");
        assertThat(Hostlist.expand("gpu[08-11]", "f")).containsExactly("gpu08", "gpu09", "gpu10", "gpu11");
        assertThat(Hostlist.expand("gpu[8-10]", "f")).as("no padding without a leading zero")
                .containsExactly("gpu8", "gpu9", "gpu10");
        assertThat(Hostlist.expand("tux[0-1,12],login", "f")).containsExactly("tux0", "tux1", "tux12", "login");
        assertThat(Hostlist.expand("gpu[01-04,07],cpu-[1-3]-a", "f")).containsExactly("gpu01", "gpu02", "gpu03",
                "gpu04", "gpu07", "cpu-1-a", "cpu-2-a", "cpu-3-a");
        assertThat(Hostlist.expand("a, b ,c", "f")).containsExactly("a", "b", "c");
        assertThat(Hostlist.expand("gpu01", "f")).containsExactly("gpu01");
        assertThat(Hostlist.expand("n[2-2]", "f")).as("a one-host range").containsExactly("n2");
        assertThat(Hostlist.expand("n[7]x", "f")).as("a suffix after the range").containsExactly("n7x");
        assertThat(Hostlist.expand("[1-2]", "f")).as("a range with no prefix").containsExactly("1", "2");
        assertThat(Hostlist.expand("r[1,3],z", "f")).as("commas inside brackets do not split")
                .containsExactly("r1", "r3", "z");
        assertThat(Hostlist.expand("n[99990-99999]", "f")).hasSize(10).endsWith("n99999");
        assertThat(Hostlist.expand("n[0-99999]", "f")).as("the largest range").hasSize(100_000);
    }

    @Test
    void severalBracketGroupsExpandFirstGroupOutermost() {
        assertThat(Hostlist.expand("rack[1-2]-gpu[1-2]", "f"))
                .containsExactly("rack1-gpu1", "rack1-gpu2", "rack2-gpu1", "rack2-gpu2");
        assertThat(Hostlist.expand("rack[1-2]-gpu", "f")).containsExactly("rack1-gpu", "rack2-gpu");
        assertThat(Hostlist.expand("r[0-9]n[0-9999]", "f")).as("at the limit in all").hasSize(100_000);
    }

    @Test
    void noHostsIsAnEmptyListWhereHostsMayBeNoneAndAnErrorWhereSomeAreRequired() {
        for (String none : Arrays.asList(null, "", " ")) {
            assertThat(Hostlist.expand(none, "nodes")).as(String.valueOf(none)).isEmpty();
            assertThatThrownBy(() -> Hostlist.expandNonEmpty(none, "leaves[0].nodes[1]")).as(String.valueOf(none))
                    .isInstanceOfSatisfying(InvalidValueException.class, e -> {
                        assertThat(e.field()).isEqualTo("leaves[0].nodes[1]");
                        assertThat(e.value()).isEqualTo(none);
                        assertThat(e.allowed()).isEqualTo(ALLOWED);
                    });
        }
        assertThat(Hostlist.expandNonEmpty("gpu[1-2]", "f")).containsExactly("gpu1", "gpu2");
    }

    @Test
    void aMalformedListNamesTheFieldTheValueAndWhatIsAllowed() {
        for (String bad : new String[]{"a]", "n[1-2", "n[1-2-3]", "n[3-1]", "n[a-b]", "gpu[1-x]", "a,,b", "a,",
                "gpu]1[", "gpu[]", "gpu[1,]", "gpu[-1]", "gpu[+1]", "gpu[[1]]", "gpu[1]-[2", "a b",
                "n[1-1234567890123456789]"}) {
            assertThatThrownBy(() -> Hostlist.expand(bad, "topology.conf line 3 Nodes")).as(bad)
                    .isInstanceOfSatisfying(InvalidValueException.class, e -> {
                        assertThat(e.field()).isEqualTo("topology.conf line 3 Nodes");
                        assertThat(e.value()).isEqualTo(bad);
                        assertThat(e.allowed()).isEqualTo(ALLOWED);
                    })
                    .hasMessage("topology.conf line 3 Nodes: \"" + bad + "\" is not allowed (allowed: " + ALLOWED + ")");
        }
    }

    @Test
    void anExpressionOfMoreThanAHundredThousandHostsIsRefusedSayingSo() {
        for (String big : new String[]{"n[0-100000]", "r[0-9]n[0-10000]", "a[0-99999],b"}) {
            assertThatThrownBy(() -> Hostlist.expand(big, "nodes")).as(big)
                    .isInstanceOfSatisfying(InvalidValueException.class, e -> {
                        assertThat(e.value()).isEqualTo(big);
                        assertThat(e.allowed()).isEqualTo(ALLOWED + "; at most 100000 hosts in all");
                    });
        }
    }

    @Test
    void aRangeOfMoreThanAHundredThousandHostsIsRefusedBeforeAnyOfItIsExpanded() {
        // Expanded host by host, the range would first reach the malformed group after it and be refused
        // for that instead.
        for (String big : new String[]{"n[0-100000]x[2-1]", "n[0-999999999999]x[2-1]"}) {
            assertThatThrownBy(() -> Hostlist.expand(big, "nodes")).as(big)
                    .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.allowed())
                            .isEqualTo(ALLOWED + "; at most 100000 hosts in all"));
        }
    }
}
