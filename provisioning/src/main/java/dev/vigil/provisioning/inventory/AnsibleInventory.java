package dev.vigil.provisioning.inventory;

import dev.vigil.provisioning.ssh.SshTarget;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * An Ansible inventory (INI) from the controller's nodes: every node in {@code gpu_nodes} (what
 * {@code ansible/gpu_nodes.yml} targets), and in a group per GPU model, per execution backend
 * (slurm, kubernetes, none), per GPU backend (dcgm, nvml, simulated), per state, per node pool and
 * per leaf switch, so that {@code --limit model_nvidia_h100_80gb_hbm3:&state_ready} or
 * {@code --limit leaf_leaf_07} picks what a change should touch.
 */
public final class AnsibleInventory {
    private AnsibleInventory() {
    }

    /**
     * A node as the inventory needs it; null model, execution, GPU backend or state (a node that has not
     * reported its inventory) land in the {@code unknown} group of that kind. Pool and leaf come from the
     * controller's configuration: a node in no pool, or one the fabric does not list, is in no group of
     * that kind.
     */
    public record Node(String name, String model, String execution, String gpuBackend, String state, String pool,
                       String leaf) {
    }

    public static String render(List<Node> nodes) {
        return render(nodes, Map.of());
    }

    /**
     * With where to reach nodes whose names do not resolve: {@code ansible_host}, {@code ansible_user}
     * and {@code ansible_port} from a hosts file's line for the node (by its name) in {@code gpu_nodes}.
     */
    public static String render(List<Node> nodes, Map<String, SshTarget> addresses) {
        StringBuilder ini = new StringBuilder("# Written by 'vigil provision ansible-inventory' from the controller's nodes.\n");
        ini.append("\n[gpu_nodes]\n");
        new TreeSet<>(nodes.stream().map(Node::name).toList()).forEach(name -> {
            ini.append(name);
            SshTarget address = addresses.get(name);
            if (address != null) {
                ini.append(" ansible_host=").append(address.address()).append(" ansible_port=").append(address.port());
                if (address.user() != null) {
                    ini.append(" ansible_user=").append(address.user());
                }
            }
            ini.append('\n');
        });
        groups(ini, nodes, "model", Node::model);
        groups(ini, nodes, "backend", Node::execution);
        groups(ini, nodes, "gpu_backend", Node::gpuBackend);
        groups(ini, nodes, "state", Node::state);
        groups(ini, nodes.stream().filter(node -> node.pool() != null).toList(), "pool", Node::pool);
        groups(ini, nodes.stream().filter(node -> node.leaf() != null).toList(), "leaf", Node::leaf);
        return ini.toString();
    }

    private static void groups(StringBuilder ini, List<Node> nodes, String kind, Function<Node, String> key) {
        Map<String, TreeSet<String>> groups = new TreeMap<>();
        for (Node node : nodes) {
            groups.computeIfAbsent(kind + "_" + groupName(key.apply(node)), g -> new TreeSet<>()).add(node.name());
        }
        groups.forEach((group, members) -> section(ini, group, members));
    }

    private static void section(StringBuilder ini, String group, TreeSet<String> members) {
        ini.append('\n').append('[').append(group).append("]\n");
        members.forEach(member -> ini.append(member).append('\n'));
    }

    /**
     * The part of a group name after its kind's prefix (which starts it with a letter): lower-case letters,
     * digits and underscores, what Ansible accepts without a warning; {@code unknown} when nothing is left.
     */
    static String groupName(String value) {
        String name = value == null ? "" : value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_")
                .replaceAll("^_|_$", "");
        return name.isEmpty() ? "unknown" : name;
    }
}
