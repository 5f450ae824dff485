package dev.vigil.provisioning.ssh;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One host to reach over SSH: the name the fleet knows it by (the node's name), the login user,
 * the address and the port.
 *
 * @param name    the node's name; the address when none was given
 * @param user    the login user; null for the caller's default
 * @param address host name or IP address
 * @param port    SSH port
 */
public record SshTarget(String name, String user, String address, int port) {
    private static final Pattern SPEC = Pattern.compile("(?:([A-Za-z0-9._-]+)@)?(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+)(?::(\\d{1,5}))?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public SshTarget {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " of " + address + ": allowed 1 to 65535");
        }
    }

    /** {@code user@address} or {@code address} (port left out when 22), the way ssh takes it. */
    public String login() {
        return (user == null ? "" : user + "@") + address + (port == 22 ? "" : ":" + port);
    }

    /**
     * Parses {@code [user@]address[:port]}, named by its address.
     *
     * @throws IllegalArgumentException naming the spec and what is allowed
     */
    public static SshTarget parse(String spec) {
        return parse(null, spec);
    }

    private static SshTarget parse(String name, String spec) {
        Matcher m = SPEC.matcher(spec.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("host \"" + spec + "\": allowed [user@]address[:port]");
        }
        String address = m.group(2).startsWith("[") ? m.group(2).substring(1, m.group(2).length() - 1) : m.group(2);
        int port = m.group(3) == null ? 22 : Integer.parseInt(m.group(3));
        return new SshTarget(name == null ? address : name, m.group(1), address, port);
    }

    /**
     * The hosts of a comma list ({@code gpu-01,admin@gpu-02:2222}) or of a hosts file's lines:
     * {@code [NAME] [user@]address[:port]}, {@code #} starts a comment. Each name at most once.
     *
     * @throws IllegalArgumentException naming the line and what is allowed
     */
    public static List<SshTarget> parseAll(List<String> lines) {
        List<SshTarget> targets = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.replaceFirst("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            SshTarget target;
            try {
                if (words.length == 1) {
                    target = parse(words[0]);
                } else if (words.length == 2 && NAME.matcher(words[0]).matches()) {
                    target = parse(words[0], words[1]);
                } else {
                    throw new IllegalArgumentException("allowed [NAME] [user@]address[:port]");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + " \"" + raw.strip() + "\": " + e.getMessage());
            }
            if (!names.add(target.name())) {
                throw new IllegalArgumentException("line " + number + ": host " + target.name() + " is listed twice");
            }
            targets.add(target);
        }
        return List.copyOf(targets);
    }
}
