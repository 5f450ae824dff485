package dev.vigil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.scheduler.topology.Fabric;
import dev.vigil.slurm.conf.GresConf;
import dev.vigil.slurm.conf.TopologyConf;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vigil slurm gres-conf|topology-conf}: Slurm's config files from what Vigil knows. */
@Command(name = "slurm",
        mixinStandardHelpOptions = true,
        description = {
                "Write Slurm's config files from what Vigil knows about the fleet.",
                "",
                "  gres-conf NODE    gres.conf lines for a node, from the GPU inventory its agent reported:",
                "                    one line per GPU with its device file, the cores of its socket and its",
                "                    NVLink links, so Slurm places GPUs and CPUs together",
                "  topology-conf     topology.conf (topology/tree) from Vigil's fabric description, or the",
                "                    fabric from an existing topology.conf (--import)",
                "",
                "Both print to stdout: review, then put them where slurm.conf is (slurmctld and the",
                "slurmds need a restart for GRES and topology changes in Slurm 22.05).",
                ""},
        subcommands = {SlurmCommand.GresConfCommand.class, SlurmCommand.TopologyConfCommand.class},
        footer = {"", "Examples:",
                "  vigil slurm gres-conf gpu-017 > gres.conf.gpu-017",
                "  vigil slurm topology-conf --fabric fabric.yaml > topology.conf",
                "  vigil slurm topology-conf --import /etc/slurm/topology.conf > fabric.yaml"})
final class SlurmCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "gres-conf",
            mixinStandardHelpOptions = true,
            description = {
                    "Print gres.conf lines for a node from its GPU inventory.",
                    "",
                    "Reads the node from the controller (GET /v1/nodes/NODE) and writes one line per GPU, in",
                    "PCI bus order (Slurm's numbering of a node's GPUs):",
                    "  NodeName=N Name=gpu Type=h100 File=/dev/nvidia0 Cores=0-55 Links=-1,18,18,...",
                    "Type is the GPU model's short name. Cores are Slurm's logical core ids (hyperthreads not",
                    "counted) of the socket the GPU hangs off: Slurm pairs GPUs with CPUs per socket (or per",
                    "NUMA node with SlurmdParameters=numa_node_as_socket). Links counts the NVLink links to each",
                    "GPU, -1 for itself; it is left out without NVLink. Comments above the lines say what",
                    "slurm.conf must match (Gres=gpu:TYPE:COUNT) and what was assumed.",
                    "",
                    "A GPU in MIG mode gets one line per MIG instance instead, typed by its profile, with the",
                    "GPU's device file and the instance's capability devices:",
                    "  NodeName=N Name=gpu Type=a100_1g.10gb MultipleFiles=/dev/nvidia1,/dev/nvidia-caps/nvidia-cap201,...",
                    "Write the lines (and slurm.conf's Gres= counts) again after every 'vigil mig set', with",
                    "the node drained in Slurm while its counts change.",
                    "",
                    "-o json prints the lines as data instead.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil slurm gres-conf gpu-017",
                    "  vigil slurm gres-conf gpu-017.lab.example --node-name gpu-017   # Slurm knows it by its short name",
                    "  vigil slurm gres-conf gpu-017 --sockets 2     # AMD in NPS4: 8 NUMA nodes on 2 sockets",
                    "  vigil slurm gres-conf gpu-017 --type h100_sxm --device-prefix /dev/nvidia"})
    static final class GresConfCommand extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NODE", description = "The node, as 'vigil nodes' lists it.")
        String name;

        @Option(names = "--node-name", paramLabel = "NAME",
                description = "The node's NodeName in slurm.conf, when it is not Vigil's name for it.")
        String slurmName;

        @Option(names = "--type", paramLabel = "TYPE",
                description = "The GRES type for every GPU (default: from the model, e.g. h100, a100, l40s).")
        String type;

        @Option(names = "--device-prefix", paramLabel = "PATH", defaultValue = "/dev/nvidia",
                description = "Device files are this plus the GPU index (default: ${DEFAULT-VALUE}).")
        String devicePrefix;

        @Option(names = "--threads-per-core", paramLabel = "N",
                description = "Hardware threads per core (default: inferred from the CPU lists; 2 when each "
                        + "NUMA node's CPUs come in sibling pairs).")
        Integer threadsPerCore;

        @Option(names = "--sockets", paramLabel = "N",
                description = "CPU sockets (default: one per NUMA node). Give it when sockets hold several "
                        + "NUMA nodes (AMD NPS2/NPS4, Intel SNC) and Slurm does not use numa_node_as_socket.")
        Integer sockets;

        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            GresConf.Options options;
            try {
                options = new GresConf.Options(devicePrefix, type, threadsPerCore, sockets);
            } catch (InvalidValueException e) {
                throw badOption(e);
            }
            NodeRecord node = client.get("/v1/nodes/" + ControllerClient.segment(name)).as(NodeRecord.class);
            NodeInventory inventory = node.inventory();
            if (inventory == null) {
                throw new ControllerClient.Failure("node " + name + " has not reported its GPU inventory yet (its "
                        + "agent sends it with its next report)", ExitCodes.FAILED, null);
            }
            String nodeName = slurmName != null ? slurmName : node.name();
            GresConf conf;
            try {
                conf = GresConf.of(new NodeInventory(nodeName, inventory.backend(), inventory.driverVersion(),
                        inventory.gpus(), inventory.topology()), options);
            } catch (InvalidValueException e) {
                throw badOption(e);
            }
            out.print(json() ? Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(conf) + "\n"
                    : conf.render());
        }

        /** An option's value does not fit: name the option as typed. */
        private static ControllerClient.Failure badOption(InvalidValueException e) {
            String option = "--" + e.field().replaceAll("([A-Z])", "-$1").toLowerCase();
            return new ControllerClient.Failure(option + ": \"" + e.value() + "\" is not allowed (allowed: "
                    + e.allowed() + ")", ExitCodes.CONFIG, null);
        }
    }

    @Command(name = "topology-conf",
            mixinStandardHelpOptions = true,
            description = {
                    "Print topology.conf from Vigil's fabric, or the fabric of a topology.conf.",
                    "",
                    "The fabric says which nodes hang under which leaf switch, and which leaves under which",
                    "spine (YAML: spines: [{name, leaves: [{name, nodes: [host lists]}]}]; a controller.yaml",
                    "with a fabric: section works too). Slurm's topology/tree gets one line per switch:",
                    "  SwitchName=leaf-01 Nodes=gpu-[001-032]",
                    "  SwitchName=spine-1 Switches=leaf-01,leaf-02",
                    "A leaf alone under a spine of its own name is an island: no job spans it and other",
                    "nodes, in Slurm as in Vigil. Slurm needs every node in topology.conf.",
                    "",
                    "--import reads a topology.conf of leaves and the switches over them and prints the",
                    "fabric; a deeper tree is refused, naming the line.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil slurm topology-conf --fabric fabric.yaml > topology.conf",
                    "  vigil slurm topology-conf --fabric /etc/vigil/controller.yaml",
                    "  vigil slurm topology-conf --import /etc/slurm/topology.conf > fabric.yaml"})
    static final class TopologyConfCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        /** Where the topology comes from. */
        static final class Source {
            @Option(names = "--fabric", paramLabel = "FILE", required = true,
                    description = "A fabric YAML file (or a controller.yaml with fabric:): print topology.conf.")
            Path fabric;

            @Option(names = "--import", paramLabel = "FILE", required = true,
                    description = "A topology.conf: print the fabric YAML.")
            Path topologyConf;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                if (source.fabric != null) {
                    Fabric fabric = readFabric(source.fabric);
                    out.print(FabricTopology.toConf(fabric).render("topology.conf for topology/tree, written by "
                            + "'vigil slurm topology-conf' from " + source.fabric + ".\nSlurm needs every node under "
                            + "a leaf; restart slurmctld and the slurmds after changing it."));
                } else {
                    String text = read(source.topologyConf);
                    Fabric fabric = FabricTopology.toFabric(TopologyConf.parse(text, source.topologyConf.toString()),
                            source.topologyConf.toString());
                    out.print("# Vigil's fabric, from " + source.topologyConf + " by 'vigil slurm topology-conf --import'.\n"
                            + "# Put it under fabric: in controller.yaml.\n"
                            + Documents.yaml().writeValueAsString(fabric));
                }
                out.flush();
                return ExitCodes.OK;
            } catch (InvalidValueException | InvalidDocumentException e) {
                return fail(e.getMessage(), ExitCodes.CONFIG);
            } catch (NoSuchFileException e) {
                return fail(e.getFile() + ": no such file", ExitCodes.CONFIG);
            } catch (IOException e) {
                return fail(e.getMessage(), ExitCodes.FAILED);
            }
        }

        /** The fabric in a file: the whole document, or its fabric: section. */
        private static Fabric readFabric(Path file) throws IOException {
            String text = read(file);
            JsonNode tree;
            try {
                tree = Documents.yaml().readTree(text);
            } catch (JsonProcessingException e) {
                return Documents.readYaml(text, Fabric.class, file.toString());   // says where the YAML breaks
            }
            if (tree != null && tree.has("fabric")) {
                return Documents.readYaml(Documents.yaml().writeValueAsString(tree.get("fabric")), Fabric.class,
                        file + " (fabric:)");
            }
            return Documents.readYaml(text, Fabric.class, file.toString());
        }

        private static String read(Path file) throws IOException {
            return Files.readString(file, StandardCharsets.UTF_8);
        }

        private int fail(String message, int exitCode) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": " + message);
            err.flush();
            return exitCode;
        }
    }
}
