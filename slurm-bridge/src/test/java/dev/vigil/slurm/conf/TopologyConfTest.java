package dev.vigil.slurm.conf;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopologyConfTest {
    private static final String TWO_LEAVES = """
            # written by hand
            SwitchName=leaf1 Nodes=gpu[01-02]
            switchname=leaf2 nodes=gpu[03-04] LinkSpeed=100   # keys are case-insensitive

            SwitchName=spine Switches=leaf[1-2]
            """;

    @Test
    void readsSwitchesWithTheirLinesAndWritesThemBack() {
        TopologyConf conf = TopologyConf.parse(TWO_LEAVES, "topology.conf");
        assertThat(conf.switches()).containsExactly(
                new TopologyConf.Switch("leaf1", "gpu[01-02]", null, null, 2),
                new TopologyConf.Switch("leaf2", "gpu[03-04]", null, "100", 3),
                new TopologyConf.Switch("spine", null, "leaf[1-2]", null, 5));
        String written = conf.render("from a test");
        assertThat(written).isEqualTo("""
                # from a test
                SwitchName=leaf1 Nodes=gpu[01-02]
                SwitchName=leaf2 Nodes=gpu[03-04] LinkSpeed=100
                SwitchName=spine Switches=leaf[1-2]
                """);
        assertThat(TopologyConf.parse(written, "again").switches()).extracting(TopologyConf.Switch::name,
                TopologyConf.Switch::nodes, TopologyConf.Switch::children)
                .containsExactlyElementsOf(conf.switches().stream().map(s -> org.assertj.core.groups.Tuple.tuple(
                        s.name(), s.nodes(), s.children())).toList());
    }

    @Test
    void errorsNameTheFileTheLineAndWhatIsAllowed() {
        assertRefused("SwitchName=leaf1 Nodes=gpu[01-02] Speed=10\n",
                "topology.conf line 1: \"Speed\" is not allowed (allowed: the keys SwitchName, Switches, Nodes, LinkSpeed)");
        assertRefused("Nodes=gpu[01-02]\n",
                "topology.conf line 1: \"Nodes=gpu[01-02]\" is not allowed (allowed: a line starting with SwitchName=NAME)");
        assertRefused("SwitchName=leaf1\n", "topology.conf line 1: \"SwitchName=leaf1\" is not allowed (allowed: a "
                + "switch with Nodes= (a leaf) or Switches= (its child switches))");
        assertRefused("SwitchName=a Nodes=n1\n\nSwitchName=a Nodes=n2\n",
                "topology.conf line 3: \"a\" is not allowed (allowed: a switch name used once (it is on line 1 too))");
        assertRefused("SwitchName=a Nodes=gpu[2-1]\n", "topology.conf line 1 Nodes: \"gpu[2-1]\" is not allowed");
        assertRefused("SwitchName=a Nodes=n1\nSwitchName=top Switches=a,b\n",
                "topology.conf line 2: \"b\" is not allowed (allowed: switches defined in the file (a, top))");
        assertRefused("SwitchName=a Nodes n1\n", "topology.conf line 1: \"Nodes\" is not allowed (allowed: Key=value");
    }

    @Test
    void eachTokenIsAKeyAndAValueEachKeyOnceAndNoSwitchIsItsOwnChild() {
        assertRefused("SwitchName=a =n1\n", "topology.conf line 1: \"=n1\" is not allowed (allowed: Key=value pairs");
        assertRefused("SwitchName=a Nodes=\n", "topology.conf line 1: \"Nodes=\" is not allowed (allowed: Key=value pairs");
        assertRefused("SwitchName=a Nodes=n1 nodes=n2\n",
                "topology.conf line 1: \"nodes=n2\" is not allowed (allowed: each key once per line)");
        assertRefused("SwitchName=a Nodes=n1\nSwitchName=b Switches=a,b\n",
                "topology.conf line 2: \"b\" is not allowed (allowed: child switches other than itself)");
    }

    @Test
    void aLeafIsASwitchWithNodes() {
        TopologyConf conf = TopologyConf.parse(TWO_LEAVES, "topology.conf");
        assertThat(conf.switches()).extracting(TopologyConf.Switch::leaf).containsExactly(true, true, false);
    }

    @Test
    void anEmptyFileHasNoSwitches() {
        assertThat(TopologyConf.parse("# nothing yet\n\n", "topology.conf").switches()).isEmpty();
        assertThat(new TopologyConf(List.of()).render("empty")).isEqualTo("# empty\n");
    }

    private static void assertRefused(String text, String message) {
        assertThatThrownBy(() -> TopologyConf.parse(text, "topology.conf"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining(message);
    }
}
