package dev.vigil.slurm.conf;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.gpu.CpuList;
import dev.vigil.api.gpu.GpuDevice;
import dev.vigil.api.gpu.MigInstance;
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
 * {@code NodeName=N Name=gpu Type=h100 File=/dev/nvidia0 Cores=0-55 Links=-1,18,...}, and for a GPU
 * in MIG mode one line per MIG instance, {@code NodeName=N Name=gpu Type=a100_1g.10gb
 * MultipleFiles=/dev/nvidia0,/dev/nvidia-caps/nvidia-cap66,/dev/nvidia-caps/nvidia-cap67}.
 *
 * <ul>
 *   <li>Lines go in PCI bus order, a MIG GPU's instances by the memory slice they start at: Slurm
 *       numbers a node's GPUs (and MIG instances) in the file's order, and {@code Links=} is a
 *       vector in that numbering.</li>
 *   <li>{@code Cores=} lists Slurm's logical core ids (core 0 is the first core of the first
 *       socket, hyperthreads not counted) of the socket the GPU hangs off. Slurm binds GPUs to
 *       CPUs per socket (or per NUMA node with {@code SlurmdParameters=numa_node_as_socket}), so
 *       anything finer is not accepted for job allocation.</li>
 *   <li>{@code Links=} counts the NVLink links to every GPU, -1 for the GPU itself and 0 for
 *       none (a MIG instance has no NVLink peer); left out on a node without NVLink.</li>
 *   <li>A MIG instance's files are its GPU's device file and the driver's capability devices for
 *       its GPU instance and its compute instance (see {@link MigMinors}).</li>
 * </ul>
 *
 * @param node  the node
 * @param lines one per GPU (per MIG instance for a GPU in MIG mode), in Slurm's order
 * @param notes what a person should know about these lines (written as comments)
 */
public record GresConf(String node, List<Line> lines, List<String> notes) {
    public GresConf {
        lines = List.copyOf(lines);
        notes = List.copyOf(notes);
    }

    /**
     * One GPU, or one MIG instance of a GPU in MIG mode.
     *
     * @param gpu           the driver's index
     * @param type          the GRES type, e.g. {@code h100}, or {@code a100_1g.10gb} for a MIG instance
     * @param file          the GPU's device file; null for a MIG instance
     * @param multipleFiles for a MIG instance, the GPU's device file and the capability devices of its
     *                      GPU instance and compute instance; empty for a whole GPU
     * @param cores         Slurm's logical cores of its socket, e.g. {@code 0-55}; null when unknown
     * @param links         NVLink links to each line's device in Slurm's order (-1: itself); empty without NVLink
     */
    public record Line(int gpu, String type, String file, List<String> multipleFiles, String cores,
                       List<Integer> links) {
        public Line {
            multipleFiles = List.copyOf(multipleFiles);
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
        Map<Integer, String> coresOfGpu = cores(inventory, options, notes);
        List<Device> devices = devices(inventory);
        boolean nvlink = inventory.gpus().stream().anyMatch(g -> !g.nvlinkPeers().isEmpty());
        String capPrefix = options.devicePrefix().substring(0, options.devicePrefix().lastIndexOf('/') + 1)
                + "nvidia-caps/nvidia-cap";
        List<Line> lines = new ArrayList<>();
        for (Device device : devices) {
            GpuDevice gpu = device.gpu();
            List<Integer> links = new ArrayList<>();
            if (nvlink) {
                for (Device other : devices) {
                    links.add(other == device ? -1 : device.instance() != null || other.instance() != null ? 0
                            : gpu.nvlinkPeers().stream().filter(p -> p.gpu() == other.gpu().index())
                            .mapToInt(NvlinkPeer::links).sum());
                }
            }
            String type = options.type() != null ? options.type() : type(gpu.model());
            String file = options.devicePrefix() + gpu.index();
            if (device.instance() == null) {
                lines.add(new Line(gpu.index(), type, file, List.of(), coresOfGpu.get(gpu.index()), links));
            } else {
                int gpuInstance = device.instance().gpuInstanceId();
                lines.add(new Line(gpu.index(), type + "_" + device.instance().profile(), null,
                        List.of(file, capPrefix + MigMinors.gpuInstance(gpu.index(), gpuInstance),
                                capPrefix + MigMinors.computeInstance(gpu.index(), gpuInstance, 0)),
                        coresOfGpu.get(gpu.index()), links));
            }
        }
        migNotes(inventory, notes);
        return new GresConf(inventory.node(), lines, notes);
    }

    /** A line's device: a whole GPU (no instance) or one MIG instance of it. */
    private record Device(GpuDevice gpu, MigInstance instance) {
    }

    /** The node's devices in Slurm's order: GPUs in bus order, a MIG GPU's instances by start slice. */
    private static List<Device> devices(NodeInventory inventory) {
        List<Device> devices = new ArrayList<>();
        for (GpuDevice gpu : busOrder(inventory)) {
            if (!migMode(gpu)) {
                devices.add(new Device(gpu, null));
                continue;
            }
            gpu.mig().instances().stream()
                    .sorted(Comparator.comparingInt(MigInstance::start).thenComparingInt(MigInstance::gpuInstanceId))
                    .forEach(instance -> devices.add(new Device(gpu, instance)));
        }
        return devices;
    }

    private static boolean migMode(GpuDevice gpu) {
        return gpu.mig() != null && gpu.mig().enabled();
    }

    private static void migNotes(NodeInventory inventory, List<String> notes) {
        List<GpuDevice> mig = inventory.gpus().stream().filter(GresConf::migMode).toList();
        if (mig.isEmpty()) {
            return;
        }
        mig.stream().filter(gpu -> gpu.mig().instances().isEmpty()).forEach(gpu -> notes.add("GPU "
                + gpu.index() + " is in MIG mode without MIG instances: Slurm gets nothing of it until it has some"));
        notes.add("a GPU in MIG mode has one line per MIG instance; its nvidia-cap files are the driver's fixed "
                + "minors (/proc/driver/nvidia-caps/mig-minors) for /dev/nvidiaN's N, compute instance 0");
        notes.add("MIG layouts change these lines and the Gres= counts: drain the node in Slurm before a change "
                + "('scontrol update NodeName=" + inventory.node() + " State=DRAIN Reason=mig'), then write gres.conf "
                + "and slurm.conf again, restart slurmd and resume it");
    }

    /**
     * How Slurm numbers the node's GPUs: entry {@code i} is the index (as the driver and Vigil
     * number them) of the GPU that Slurm's GPU {@code i} is on, in a job's {@code IDX:} list, its
     * {@code SLURM_JOB_GPUS} and (without device cgroups) {@code CUDA_VISIBLE_DEVICES}. Slurm numbers
     * GPUs in gres.conf's order, which is PCI bus order as {@link #of} writes it; a GPU in MIG mode
     * is there once per MIG instance (Slurm's GPU {@code i} is then one of its instances), not at all
     * without instances.
     */
    public static List<Integer> slurmOrder(NodeInventory inventory) {
        return devices(inventory).stream().map(device -> device.gpu().index()).toList();
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
            text.append("NodeName=").append(node).append(" Name=gpu Type=").append(line.type());
            if (line.multipleFiles().isEmpty()) {
                text.append(" File=").append(line.file());
            } else {
                text.append(" MultipleFiles=").append(String.join(",", line.multipleFiles()));
            }
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
