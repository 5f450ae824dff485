package dev.vigil.slurm.conf;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.gpu.CpuList;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.NodeInventory;
import dev.vigil.api.gpu.NodeTopology;
import dev.vigil.api.gpu.NvlinkPeer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * gres.conf lines for one node, from the GPU inventory its agent reported: one line per GPU,
 * {@code NodeName=N Name=gpu Type=h100 File=/dev/nvidia0 Cores=0-55 Links=-1,18,...}.
 *
 * <ul>
 *   <li>Lines go in PCI bus order: Slurm numbers a node's GPUs that way, and {@code Links=} is
 *       a vector in that numbering.</li>
 *   <li>{@code Cores=} lists Slurm's logical core ids (core 0 is the first core of the first
 *       socket, hyperthreads not counted) of the socket the GPU hangs off. Slurm binds GPUs to
 *       CPUs per socket (or per NUMA node with {@code SlurmdParameters=numa_node_as_socket}), so
 *       anything finer is not accepted for job allocation.</li>
 *   <li>{@code Links=} counts the NVLink links to every GPU, -1 for the GPU itself and 0 for
 *       none; left out on a node without NVLink.</li>
 * </ul>
 *
 * @param node  the node
 * @param lines one per GPU, in Slurm's order
 * @param notes what a person should know about these lines (written as comments)
 */
public record GresConf(String node, List<Line> lines, List<String> notes) {
    public GresConf {
        lines = List.copyOf(lines);
        notes = List.copyOf(notes);
    }

    /**
     * One GPU.
     *
     * @param gpu   the driver's index
     * @param type  the GRES type, e.g. {@code h100}
     * @param file  its device file
     * @param cores Slurm's logical cores of its socket, e.g. {@code 0-55}; null when unknown
     * @param links NVLink links to each GPU in Slurm's order (-1: itself); empty without NVLink
     */
    public record Line(int gpu, String type, String file, String cores, List<Integer> links) {
        public Line {
            links = List.copyOf(links);
        }
    }

    /**
     * How to write the lines.
     *
     * @param devicePrefix   device files are this plus the GPU index (default {@code /dev/nvidia})
     * @param type           the GRES type for every GPU, or null to derive it from the model
     *                       ({@code NVIDIA H100 80GB HBM3} gives {@code h100})
     * @param threadsPerCore hardware threads per core, or null to infer it from the CPU lists
     *                       (Linux numbers a core's second thread after all first threads)
     * @param sockets        CPU sockets, or null for one per NUMA node; with more NUMA nodes than
     *                       sockets (AMD NPS2/NPS4, Intel SNC) a GPU's cores are its whole socket's
     */
    public record Options(String devicePrefix, String type, Integer threadsPerCore, Integer sockets) {
        public Options {
            devicePrefix = devicePrefix == null ? "/dev/nvidia" : devicePrefix;
            InvalidValueException.require(devicePrefix.startsWith("/"), "devicePrefix", devicePrefix,
                    "an absolute path prefix, e.g. /dev/nvidia");
            InvalidValueException.require(type == null || type.matches("[A-Za-z0-9][A-Za-z0-9._-]*"), "type", type,
                    "a GRES type of letters, digits, '.', '_' and '-', e.g. h100");
            InvalidValueException.require(threadsPerCore == null || (threadsPerCore >= 1 && threadsPerCore <= 8),
                    "threadsPerCore", threadsPerCore, "1 to 8");
            InvalidValueException.require(sockets == null || (sockets >= 1 && sockets <= 16), "sockets", sockets,
                    "1 to 16");
        }

        public static Options defaults() {
            return new Options(null, null, null, null);
        }
    }

    /**
     * The lines for a node.
     *
     * @throws InvalidValueException when an option does not fit the inventory (it names which)
     */
    public static GresConf of(NodeInventory inventory, Options options) {
        List<String> notes = new ArrayList<>();
        List<GpuDevice> gpus = busOrder(inventory);
        Map<Integer, String> coresOfGpu = cores(inventory, options, notes);
        boolean nvlink = gpus.stream().anyMatch(g -> !g.nvlinkPeers().isEmpty());
        List<Line> lines = new ArrayList<>();
        for (GpuDevice gpu : gpus) {
            List<Integer> links = new ArrayList<>();
            if (nvlink) {
                for (GpuDevice other : gpus) {
                    links.add(other.index() == gpu.index() ? -1 : gpu.nvlinkPeers().stream()
                            .filter(p -> p.gpu() == other.index()).mapToInt(NvlinkPeer::links).sum());
                }
            }
            if (gpu.mig() != null && gpu.mig().enabled()) {
                notes.add("GPU " + gpu.index() + " is in MIG mode: this line gives Slurm the whole GPU; for its MIG "
                        + "slices use AutoDetect=nvml");
            }
            lines.add(new Line(gpu.index(), options.type() != null ? options.type() : type(gpu.model()),
                    options.devicePrefix() + gpu.index(), coresOfGpu.get(gpu.index()), links));
        }
        return new GresConf(inventory.node(), lines, notes);
    }

    /**
     * How Slurm numbers the node's GPUs: entry {@code i} is the index (as the driver and Vigil
     * number them) of the GPU Slurm calls {@code i} in a job's {@code IDX:} list, its
     * {@code SLURM_JOB_GPUS} and (without device cgroups) {@code CUDA_VISIBLE_DEVICES}. Slurm numbers
     * GPUs in gres.conf's order, which is PCI bus order as {@link #of} writes it.
     */
    public static List<Integer> slurmOrder(NodeInventory inventory) {
        return busOrder(inventory).stream().map(GpuDevice::index).toList();
    }

    private static List<GpuDevice> busOrder(NodeInventory inventory) {
        return inventory.gpus().stream()
                .sorted(Comparator.comparing((GpuDevice g) -> g.pciBusId() == null ? "" : g.pciBusId().toLowerCase(Locale.ROOT))
                        .thenComparingInt(GpuDevice::index))
                .toList();
    }

    /** The GRES type for a product name: its first word that names a model, lower case. */
    static String type(String model) {
        List<String> words = new ArrayList<>();
        for (String word : (model == null ? "" : model).split("[\\s-]+")) {
            if (!word.isEmpty() && !Set.of("nvidia", "tesla", "geforce", "quadro").contains(word.toLowerCase(Locale.ROOT))) {
                words.add(word.toLowerCase(Locale.ROOT));
            }
        }
        if (words.isEmpty()) {
            return "gpu";
        }
        // "RTX A6000", "RTX 4090": the family word alone says too little
        String first = words.get(0);
        return first.matches(".*\\d.*") || words.size() == 1 ? first : first + "_" + words.get(1);
    }

    /** Each GPU's cores: Slurm's logical core ids of its socket, from the NUMA nodes' CPU lists. */
    private static Map<Integer, String> cores(NodeInventory inventory, Options options, List<String> notes) {
        Map<Integer, String> cores = new LinkedHashMap<>();
        List<NodeTopology.NumaNode> numa = inventory.topology() == null ? List.of()
                : inventory.topology().numaNodes().stream().sorted(Comparator.comparingInt(NodeTopology.NumaNode::id))
                .toList();
        if (numa.isEmpty()) {
            notes.add("the inventory has no NUMA nodes with CPU lists: Cores= is left out, so Slurm may pair any "
                    + "CPU with each GPU");
            return cores;
        }
        List<TreeSet<Integer>> cpus = new ArrayList<>();
        TreeSet<Integer> all = new TreeSet<>();
        for (NodeTopology.NumaNode node : numa) {
            TreeSet<Integer> set = CpuList.parse(node.cpus(), "topology.numaNodes[" + node.id() + "].cpus");
            cpus.add(set);
            all.addAll(set);
        }
        int threads = options.threadsPerCore() != null ? options.threadsPerCore() : threadsPerCore(cpus, all.size());
        int sockets = options.sockets() != null ? options.sockets() : numa.size();
        InvalidValueException.require(numa.size() % sockets == 0, "sockets", sockets,
                "a divisor of the node's " + numa.size() + " NUMA nodes");
        int numaPerSocket = numa.size() / sockets;
        int[] socketCores = new int[sockets];
        for (int i = 0; i < numa.size(); i++) {
            InvalidValueException.require(cpus.get(i).size() % threads == 0, "threadsPerCore", threads,
                    "a divisor of NUMA node " + numa.get(i).id() + "'s " + cpus.get(i).size() + " CPUs");
            socketCores[i / numaPerSocket] += cpus.get(i).size() / threads;
        }
        Map<Integer, Integer> numaIndexOfGpu = new LinkedHashMap<>();
        for (int i = 0; i < numa.size(); i++) {
            for (int gpu : numa.get(i).gpus()) {
                numaIndexOfGpu.put(gpu, i);
            }
        }
        for (GpuDevice gpu : inventory.gpus()) {
            Integer index = numaIndexOfGpu.get(gpu.index());
            if (index == null && gpu.numaNode() != null) {
                for (int i = 0; i < numa.size(); i++) {
                    if (numa.get(i).id() == gpu.numaNode()) {
                        index = i;
                    }
                }
            }
            if (index == null) {
                notes.add("GPU " + gpu.index() + " has no NUMA node in the inventory: its Cores= is left out");
                continue;
            }
            int socket = index / numaPerSocket;
            int first = 0;
            for (int s = 0; s < socket; s++) {
                first += socketCores[s];
            }
            cores.put(gpu.index(), first + "-" + (first + socketCores[socket] - 1));
        }
        notes.add("Cores= are Slurm's logical core ids of the GPU's socket: " + sockets + " socket(s) of "
                + socketCores[0] + " cores" + (threads > 1 ? ", " + threads + " threads per core" : "")
                + (numaPerSocket > 1 ? ", " + numaPerSocket + " NUMA nodes per socket" : ""));
        if (options.sockets() == null && numa.size() > 2) {
            notes.add("one socket per NUMA node was assumed: if sockets hold several NUMA nodes (NPS2/NPS4, SNC), "
                    + "give the socket count, or set SlurmdParameters=numa_node_as_socket");
        }
        return cores;
    }

    /**
     * 2 when every NUMA node's CPUs come in pairs c and c + total/2 (Linux numbers the second
     * thread of every core after all the first ones), else 1.
     */
    private static int threadsPerCore(List<TreeSet<Integer>> numa, int total) {
        if (total % 2 != 0) {
            return 1;
        }
        int half = total / 2;
        for (TreeSet<Integer> cpus : numa) {
            for (int cpu : cpus) {
                if (cpu < half && !cpus.contains(cpu + half) || cpu >= half && !cpus.contains(cpu - half)) {
                    return 1;
                }
            }
        }
        return 2;
    }

    /** gres.conf text: the notes as comments, then one line per GPU. */
    public String render() {
        StringBuilder text = new StringBuilder();
        text.append("# gres.conf lines for ").append(node).append(", written by 'vigil slurm gres-conf' from the node's "
                + "GPU inventory.\n");
        Map<String, Long> types = lines.stream().collect(Collectors.groupingBy(Line::type, LinkedHashMap::new,
                Collectors.counting()));
        text.append("# slurm.conf must give the node Gres=")
                .append(types.entrySet().stream().map(e -> "gpu:" + e.getKey() + ":" + e.getValue())
                        .collect(Collectors.joining(",")))
                .append(" (and GresTypes=gpu).\n");
        for (String note : notes) {
            text.append("# ").append(note).append(".\n");
        }
        for (Line line : lines) {
            text.append("NodeName=").append(node).append(" Name=gpu Type=").append(line.type())
                    .append(" File=").append(line.file());
            if (line.cores() != null) {
                text.append(" Cores=").append(line.cores());
            }
            if (!line.links().isEmpty()) {
                text.append(" Links=").append(line.links().stream().map(String::valueOf).collect(Collectors.joining(",")));
            }
            text.append('\n');
        }
        return text.toString();
    }
}
