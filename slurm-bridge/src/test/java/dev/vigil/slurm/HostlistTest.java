package dev.vigil.slurm;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostlistTest {
    @Test
    void expandsRangesListsAndSeveralBracketGroupsKeepingLeadingZeros() {
        assertThat(Hostlist.expand("gpu[08-11]", "nodes")).containsExactly("gpu08", "gpu09", "gpu10", "gpu11");
        assertThat(Hostlist.expand("tux[0-1,12],login", "nodes")).containsExactly("tux0", "tux1", "tux12", "login");
        assertThat(Hostlist.expand("rack[1-2]-gpu[1-2]", "nodes"))
                .containsExactly("rack1-gpu1", "rack1-gpu2", "rack2-gpu1", "rack2-gpu2");
        assertThat(Hostlist.expand("gpu01", "nodes")).containsExactly("gpu01");
        assertThat(Hostlist.expand("", "nodes")).isEmpty();
        assertThat(Hostlist.expand(null, "nodes")).isEmpty();
    }

    @Test
    void aMalformedListNamesTheFieldTheValueAndWhatIsAllowed() {
        for (String bad : new String[]{"gpu[3-1]", "gpu[1-x]", "gpu[1-3", "gpu]1[", "a,,b", "gpu[]", "gpu[[1]]"}) {
            assertThatThrownBy(() -> Hostlist.expand(bad, "topology.conf line 3 Nodes"))
                    .as(bad)
                    .isInstanceOf(InvalidValueException.class)
                    .hasMessageContaining("topology.conf line 3 Nodes: \"" + bad + "\" is not allowed")
                    .hasMessageContaining("ranges like gpu[01-32]");
        }
    }
}
