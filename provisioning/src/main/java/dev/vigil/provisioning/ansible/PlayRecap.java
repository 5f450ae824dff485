package dev.vigil.provisioning.ansible;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code PLAY RECAP} of an ansible-playbook run, read line by line as the output streams:
 * {@code gpu-1 : ok=5 changed=1 unreachable=0 failed=0 skipped=2 ...} per host. Lines before the
 * recap (a task's output that happens to look like one) are not counted; colour escapes are ignored.
 */
public final class PlayRecap {
    private static final Pattern COLOUR = Pattern.compile("\u001B\\[[0-9;]*m");
    private static final Pattern HOST = Pattern.compile(
            "(\\S+)\\s+:\\s+ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)\\b.*");

    /** One host's counts, or their sum over the hosts. */
    public record Counts(int ok, int changed, int unreachable, int failed) {
        Counts plus(Counts other) {
            return new Counts(ok + other.ok, changed + other.changed, unreachable + other.unreachable,
                    failed + other.failed);
        }
    }

    private final Map<String, Counts> hosts = new LinkedHashMap<>();
    private boolean inRecap;

    /** Takes the next line of ansible-playbook's output. */
    public void accept(String line) {
        String plain = COLOUR.matcher(line).replaceAll("").strip();
        if (plain.startsWith("PLAY RECAP")) {
            inRecap = true;
            return;
        }
        Matcher m = HOST.matcher(plain);
        if (inRecap && m.matches()) {
            hosts.put(m.group(1), new Counts(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))));
        }
    }

    /** Each host of the recap, in its order. */
    public Map<String, Counts> hosts() {
        return Collections.unmodifiableMap(hosts);
    }

    /** The counts summed over the hosts. */
    public Counts total() {
        return hosts.values().stream().reduce(new Counts(0, 0, 0, 0), Counts::plus);
    }
}
