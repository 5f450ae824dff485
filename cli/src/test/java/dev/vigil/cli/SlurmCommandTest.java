package dev.vigil.cli;

import dev.vigil.api.cluster.Hostlist;
import dev.vigil.slurm.conf.TopologyConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vigil slurm topology-conf} both ways; gres-conf runs against a controller in {@link OperatorCommandsTest}. */
class SlurmCommandTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void aFabricBecomesLeavesThenSpinesAndALoneLeafStaysAnIsland() throws IOException {
        Path fabric = file("fabric.yaml", """
                spines:
                  - name: spine-1
                    leaves:
                      - {name: leaf-01, nodes: ["gpu-[001-032]"]}
                      - {name: leaf-02, nodes: ["gpu-[033-064]", "gpu-100"]}
                  - name: debug
                    leaves:
                      - {name: debug, nodes: [dbg-1]}
                """);
        CliRun run = run("slurm", "topology-conf", "--fabric", fabric.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).endsWith("""
                SwitchName=leaf-01 Nodes=gpu-[001-032]
                SwitchName=leaf-02 Nodes=gpu-[033-064],gpu-100
                SwitchName=debug Nodes=dbg-1
                SwitchName=spine-1 Switches=leaf-01,leaf-02
                """);
        assertThat(run.out()).startsWith("# topology.conf for topology/tree, written by 'vigil slurm topology-conf' from ");
    }

    @Test
    void aControllerConfigsFabricSectionIsReadToo() throws IOException {
        Path controller = file("controller.yaml", """
                member: c1
                fabric:
                  spines: [{name: s, leaves: [{name: l1, nodes: ["n[1-2]"]}, {name: l2, nodes: ["n[3-4]"]}]}]
                """);
        CliRun run = run("slurm", "topology-conf", "--fabric", controller.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).endsWith("SwitchName=l1 Nodes=n[1-2]\nSwitchName=l2 Nodes=n[3-4]\nSwitchName=s Switches=l1,l2\n");
    }

    @Test
    void anImportedTopologyConfIsTheFabricAndGoesBackToTheSameSwitches() throws IOException {
        String original = """
                SwitchName=leaf1 Nodes=gpu[01-02]
                SwitchName=leaf2 Nodes=gpu[03-04]
                SwitchName=lonely Nodes=login[1-2]
                SwitchName=spine Switches=leaf[1-2]
                """;
        CliRun imported = run("slurm", "topology-conf", "--import", file("topology.conf", original).toString());
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("# Put it under fabric: in controller.yaml.")
                .contains("- name: \"spine\"").contains("- name: \"leaf2\"").contains("- \"gpu[03-04]\"");

        CliRun back = run("slurm", "topology-conf", "--fabric", file("fabric.yaml", imported.out()).toString());
        assertThat(back.exit()).as(back.err()).isZero();
        assertThat(switches(back.out())).isEqualTo(switches(original));
    }

    /** Each switch with its nodes or child switches expanded, whichever way the host lists were written. */
    private static Map<String, List<String>> switches(String topologyConf) {
        Map<String, List<String>> switches = new TreeMap<>();
        for (TopologyConf.Switch s : TopologyConf.parse(topologyConf, "test").switches()) {
            switches.put(s.name(), Hostlist.expand(s.leaf() ? s.nodes() : s.children(), s.name()));
        }
        return switches;
    }

    @Test
    void whatTheFabricCannotHoldIsRefusedNamingTheLine() throws IOException {
        Path threeLevels = file("topology.conf", """
                SwitchName=l1 Nodes=n[1-2]
                SwitchName=l2 Nodes=n[3-4]
                SwitchName=s1 Switches=l1
                SwitchName=s2 Switches=l2
                SwitchName=core Switches=s[1-2]
                """);
        CliRun run = run("slurm", "topology-conf", "--import", threeLevels.toString());
        assertThat(run.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err()).isEqualTo("vigil slurm topology-conf: " + threeLevels + " line 5: \"s1\" is not allowed "
                + "(allowed: leaf switches (with Nodes=) under a spine: Vigil's fabric has two levels, spine and leaf)\n");

        CliRun twoParents = run("slurm", "topology-conf", "--import", file("two.conf",
                "SwitchName=l1 Nodes=n1\nSwitchName=a Switches=l1\nSwitchName=b Switches=l1\n").toString());
        assertThat(twoParents.err()).contains("two.conf line 3: \"l1\" is not allowed (allowed: each leaf under one "
                + "spine (it is under a on line 2 too))");

        CliRun badKey = run("slurm", "topology-conf", "--import", file("bad.conf",
                "SwitchName=l1 Node=n1\n").toString());
        assertThat(badKey.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(badKey.err()).contains("bad.conf line 1: \"Node\" is not allowed");
    }

    @Test
    void aBadFabricOrMissingFileSaysWhatIsWrong() throws IOException {
        CliRun typo = run("slurm", "topology-conf", "--fabric",
                file("f.yaml", "spines: [{name: s, leafs: []}]\n").toString());
        assertThat(typo.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(typo.err()).contains("unknown key \"spines[0].leafs\"");

        CliRun missing = run("slurm", "topology-conf", "--import", dir.resolve("nope.conf").toString());
        assertThat(missing.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(missing.err()).isEqualTo("vigil slurm topology-conf: " + dir.resolve("nope.conf") + ": no such file\n");

        CliRun neither = run("slurm", "topology-conf");
        assertThat(neither.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(neither.err()).contains("--fabric=FILE", "--import=FILE");
    }

    @Test
    void helpTeachesTheSlurmCommandsWithExamples() {
        assertThat(run("--help").out()).contains("vigil slurm gres-conf NODE", "vigil slurm topology-conf");
        assertThat(run("slurm", "--help").out()).contains("gres-conf", "topology-conf", "Examples:");
        assertThat(run("slurm", "gres-conf", "--help").out()).contains("--sockets", "--node-name", "Links=-1,18",
                "Examples:");
        assertThat(run("slurm", "topology-conf", "--help").out()).contains("--fabric", "--import", "island");
    }
}
