package dev.vigil.slurm.conf;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.Hostlist;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Slurm's topology.conf for {@code topology/tree}: one switch per line, a leaf with its
 * {@code Nodes=}, an upper switch with its child {@code Switches=}, both as host lists.
 *
 * <pre>
 * SwitchName=leaf1 Nodes=gpu[01-16]
 * SwitchName=leaf2 Nodes=gpu[17-32]
 * SwitchName=spine Switches=leaf[1-2]
 * </pre>
 *
 * {@link #parse} checks what slurmctld would refuse, and says on which line: an unknown key, a
 * switch without a name or without children, a name used twice, a child switch never defined,
 * a malformed host list.
 *
 * @param switches in file order
 */
public record TopologyConf(List<Switch> switches) {
    private static final String KEYS = "SwitchName, Switches, Nodes, LinkSpeed";

    public TopologyConf {
        switches = List.copyOf(switches);
    }

    /**
     * One switch.
     *
     * @param name      its name
     * @param nodes     the nodes under it, as a host list (a leaf), or null
     * @param children  the switches under it, as a host list, or null
     * @param linkSpeed its LinkSpeed (Slurm does not use it), or null
     * @param line      where it was read (1-based), or 0 when it was not read from a file
     */
    public record Switch(String name, String nodes, String children, String linkSpeed, int line) {
        /** Whether it has nodes under it. */
        public boolean leaf() {
            return nodes != null;
        }
    }

    /**
     * Reads topology.conf text.
     *
     * @param source names the file in errors
     * @throws InvalidValueException naming {@code SOURCE line N}, the offending text and what is allowed
     */
    public static TopologyConf parse(String text, String source) {
        List<Switch> switches = new ArrayList<>();
        Map<String, Integer> lineOfName = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String where = source + " line " + (i + 1);
            String content = lines[i].replaceFirst("#.*", "").strip();
            if (content.isEmpty()) {
                continue;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String token : content.split("\\s+")) {
                int equals = token.indexOf('=');
                InvalidValueException.require(equals > 0 && equals < token.length() - 1, where, token,
                        "Key=value pairs with the keys " + KEYS);
                String key = canonical(token.substring(0, equals));
                InvalidValueException.require(key != null, where, token.substring(0, equals), "the keys " + KEYS);
                InvalidValueException.require(!values.containsKey(key), where, token, "each key once per line");
                values.put(key, token.substring(equals + 1));
            }
            String name = values.get("SwitchName");
            InvalidValueException.require(name != null, where, content, "a line starting with SwitchName=NAME");
            InvalidValueException.require(values.containsKey("Nodes") || values.containsKey("Switches"), where, content,
                    "a switch with Nodes= (a leaf) or Switches= (its child switches)");
            Integer earlier = lineOfName.putIfAbsent(name, i + 1);
            InvalidValueException.require(earlier == null, where, name,
                    "a switch name used once (it is on line " + earlier + " too)");
            Hostlist.expand(values.get("Nodes"), where + " Nodes");
            List<String> children = Hostlist.expand(values.get("Switches"), where + " Switches");
            InvalidValueException.require(!children.contains(name), where, name, "child switches other than itself");
            switches.add(new Switch(name, values.get("Nodes"), values.get("Switches"), values.get("LinkSpeed"), i + 1));
        }
        for (Switch parent : switches) {
            for (String child : Hostlist.expand(parent.children(), "Switches")) {
                InvalidValueException.require(lineOfName.containsKey(child), source + " line " + parent.line(), child,
                        "switches defined in the file (" + String.join(", ", lineOfName.keySet()) + ")");
            }
        }
        return new TopologyConf(switches);
    }

    /** The key as Slurm spells it (keys are case-insensitive), or null when it is not one. */
    private static String canonical(String key) {
        return switch (key.toLowerCase(Locale.ROOT)) {
            case "switchname" -> "SwitchName";
            case "switches" -> "Switches";
            case "nodes" -> "Nodes";
            case "linkspeed" -> "LinkSpeed";
            default -> null;
        };
    }

    /** topology.conf text, one line per switch, after a comment naming who wrote it. */
    public String render(String comment) {
        StringBuilder text = new StringBuilder();
        for (String line : comment.split("\n")) {
            text.append("# ").append(line).append('\n');
        }
        for (Switch s : switches) {
            text.append("SwitchName=").append(s.name());
            if (s.nodes() != null) {
                text.append(" Nodes=").append(s.nodes());
            }
            if (s.children() != null) {
                text.append(" Switches=").append(s.children());
            }
            if (s.linkSpeed() != null) {
                text.append(" LinkSpeed=").append(s.linkSpeed());
            }
            text.append('\n');
        }
        return text.toString();
    }
}
