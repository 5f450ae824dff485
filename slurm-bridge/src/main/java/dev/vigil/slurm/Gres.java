package dev.vigil.slurm;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the GPU part of Slurm's GRES strings: {@code gpu:h100:8(S:0-1)} (configured),
 * {@code gpu:h100:4(IDX:0-2,4)} (in use on a node, or held by a job on one node).
 */
final class Gres {
    // name, optional type, count, optional (...) detail; entries are separated by commas outside parentheses
    private static final Pattern GPU = Pattern.compile("gpu(?::([^:(,]+))?:(\\d+)(?:\\(([^)]*)\\))?");

    private Gres() {
    }

    /** Configured GPUs: the type (null when untyped) and how many, summed over the gpu entries. */
    record Configured(String type, int count) {
    }

    static Configured configured(String gres) {
        String type = null;
        int count = 0;
        if (gres != null) {
            Matcher m = GPU.matcher(gres);
            while (m.find()) {
                if (startsEntry(gres, m.start())) {
                    type = type == null ? m.group(1) : type;
                    count += Integer.parseInt(m.group(2));
                }
            }
        }
        return new Configured(type, count);
    }

    /** The GPU indices in an {@code IDX:} detail ({@code gpu:h100:4(IDX:0-2,4)} gives 0, 1, 2, 4). */
    static List<Integer> indices(String gres) {
        List<Integer> indices = new ArrayList<>();
        if (gres == null) {
            return indices;
        }
        Matcher m = GPU.matcher(gres);
        while (m.find()) {
            String detail = m.group(3);
            if (!startsEntry(gres, m.start()) || detail == null || !detail.startsWith("IDX:")) {
                continue;
            }
            for (String range : detail.substring(4).split(",")) {
                String[] bounds = range.split("-");
                if (!bounds[0].matches("\\d+")) {
                    continue;   // IDX:N/A: none in use
                }
                int from = Integer.parseInt(bounds[0]);
                int to = bounds.length > 1 && bounds[1].matches("\\d+") ? Integer.parseInt(bounds[1]) : from;
                for (int i = from; i <= to; i++) {
                    indices.add(i);
                }
            }
        }
        return indices;
    }

    /** A match counts only at the start of an entry, not inside another GRES name ({@code shard:gpu...}). */
    private static boolean startsEntry(String gres, int at) {
        return at == 0 || gres.charAt(at - 1) == ',';
    }
}
