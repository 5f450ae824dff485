package dev.vigil.provisioning.preflight;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one host said to preflight's questions: one shell script run over one SSH command (one
 * round trip per host, whatever the number of checks), which prints each answer between markers,
 * {@code ### NAME} and {@code ### NAME exit=STATUS}. The commands only read.
 */
public final class Probe {
    /** The questions, by section name; each is a shell command list. */
    static final Map<String, String> QUESTIONS = questions();

    private final Map<String, Section> sections;

    /** One answer: what the commands printed (stdout and stderr) and the last one's exit status. */
    record Section(int exit, String text) {
    }

    private Probe(Map<String, Section> sections) {
        this.sections = sections;
    }

    private static Map<String, String> questions() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("os", "cat /etc/os-release");
        q.put("kernel", "uname -r");
        q.put("gpus", "nvidia-smi --query-gpu=index,name,driver_version,persistence_mode,pci.bus_id --format=csv,noheader");
        q.put("dcgm", "command -v nv-hostengine && { pgrep -x nv-hostengine >/dev/null && echo running || echo stopped; }");
        q.put("fabric-manager", "command -v nv-fabricmanager && nv-fabricmanager --version"
                + " && { pgrep -x nv-fabricmanager >/dev/null && echo running || echo stopped; }");
        q.put("numa", "ls -d /sys/devices/system/node/node[0-9]* | wc -l;"
                + " nvidia-smi --query-gpu=pci.bus_id --format=csv,noheader | while read -r b; do"
                + " b=$(echo \"$b\" | tr A-F a-f | sed 's/^0000\\(....:\\)/\\1/');"
                + " echo \"$b $(cat /sys/bus/pci/devices/$b/numa_node 2>/dev/null || echo unknown)\"; done");
        q.put("infiniband", "for p in /sys/class/infiniband/*/ports/*; do [ -e \"$p/state\" ] &&"
                + " echo \"$(basename $(dirname $(dirname $p)))/$(basename $p) $(cat $p/state) $(cat $p/link_layer)\"; done; true");
        q.put("clock", "date +%s; timedatectl show -p NTPSynchronized --value 2>/dev/null;"
                + " chronyc -n tracking 2>/dev/null | grep -i '^Leap status'; true");
        q.put("disk", "df -Pk / /var");
        q.put("agent-port", "ss -Hltn \"sport = :$VIGIL_AGENT_PORT\"");
        return q;
    }

    /** The script for one host; {@code agentPort} is the port the agent will listen on. */
    public static String script(int agentPort) {
        StringBuilder script = new StringBuilder("VIGIL_AGENT_PORT=" + agentPort + "; export LC_ALL=C;");
        QUESTIONS.forEach((name, command) -> script.append(" echo '### ").append(name).append("'; { ")
                .append(command).append("; } 2>&1; echo \"### ").append(name).append(" exit=$?\";"));
        return script.toString();
    }

    /** Reads the script's output; a section that is missing reads as exit 127 with no text. */
    public static Probe parse(String output) {
        Map<String, Section> sections = new LinkedHashMap<>();
        String current = null;
        StringBuilder text = new StringBuilder();
        for (String line : output.split("\n", -1)) {
            if (current == null && line.startsWith("### ") && QUESTIONS.containsKey(line.substring(4))) {
                current = line.substring(4);
                text.setLength(0);
            } else if (current != null && line.startsWith("### " + current + " exit=")) {
                int exit;
                try {
                    exit = Integer.parseInt(line.substring(("### " + current + " exit=").length()).strip());
                } catch (NumberFormatException e) {
                    exit = -1;
                }
                sections.put(current, new Section(exit, text.toString()));
                current = null;
            } else if (current != null) {
                text.append(line).append('\n');
            }
        }
        return new Probe(sections);
    }

    Section section(String name) {
        return sections.getOrDefault(name, new Section(127, ""));
    }
}
