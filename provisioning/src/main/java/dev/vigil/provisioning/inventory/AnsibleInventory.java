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
 * (slurm, kubernetes, none), per GPU backend (dcgm, nvml, simulated) and per state, so that
 * {@code --limit model_nvidia_h100_80gb_hbm3:&state_ready} picks what a change should touch.
 */
public final class AnsibleInventory {
    private AnsibleInventory() {
    }

    /**
     * A node as the inventory needs it; null fields (a node that has not reported its inventory)
     * land in the {@code unknown} group of that kind.
     */
    public record Node(String name, String model, String execution, String gpuBackend, String state) {
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

    /** A group name Ansible accepts: lower-case letters, digits and underscores. */
    static String groupName(String value) {
        if (value == null || value.isBlank()) {
            return "unknown";
        }
        return value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }
}
