package dev.vigil.gpu.mig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The MIG User Guide's profile table ("Supported MIG Profiles"; research notes §5.1), typed in a
 * second time so the tests check the production table instead of trusting it, plus a brute-force
 * enumeration of legal layouts written independently of {@link MigLayoutValidator}.
 */
final class GuideTable {
    private GuideTable() {
    }

    /** A profile's names on one model, in the guide's row order. */
    record Names(String one, String oneMe, String oneDouble, String two, String three, String four, String seven) {
        List<String> all() {
            return List.of(one, oneMe, oneDouble, two, three, four, seven);
        }
    }

    /** One row: geometry as the guide states it. */
    record Row(String name, int id, int memorySlices, int computeSlices, int max, List<Integer> starts, boolean me) {
    }

    static Names names(MigGpuModel model) {
        return switch (model) {
            case A100_40GB -> new Names("1g.5gb", "1g.5gb+me", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb");
            case A100_80GB, H100_80GB ->
                    new Names("1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb");
            case H200_141GB ->
                    new Names("1g.18gb", "1g.18gb+me", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb");
        };
    }

    static List<Row> rows(MigGpuModel model) {
        Names n = names(model);
        List<Integer> anyButLast = List.of(0, 1, 2, 3, 4, 5, 6);
        return List.of(
                new Row(n.one(), 19, 1, 1, 7, anyButLast, false),
                new Row(n.oneMe(), 20, 1, 1, 1, anyButLast, true),
                new Row(n.oneDouble(), 15, 2, 1, 4, List.of(0, 2, 4, 6), false),
                new Row(n.two(), 14, 2, 2, 3, List.of(0, 2, 4), false),
                new Row(n.three(), 9, 4, 3, 2, List.of(0, 4), false),
                new Row(n.four(), 5, 4, 4, 1, List.of(0), false),
                new Row(n.seven(), 0, 8, 7, 1, List.of(0), false));
    }

    /** Every (profile, start) the guide allows, in row order. */
    static List<MigPlacement> candidates(List<Row> rows) {
        List<MigPlacement> candidates = new ArrayList<>();
        rows.forEach(row -> row.starts().forEach(start -> candidates.add(new MigPlacement(row.name(), start))));
        return candidates;
    }

    /**
     * Every legal layout (the empty one included) built only from {@code rows}: every subset of the
     * candidate placements whose memory slices are disjoint, whose SM slices sum to at most 7 and
     * whose per-profile counts stay within the maxima.
     */
    static List<List<MigPlacement>> legalLayouts(List<Row> rows) {
        List<MigPlacement> candidates = candidates(rows);
        Map<String, Row> byName = byName(rows);
        List<List<MigPlacement>> layouts = new ArrayList<>();
        enumerate(candidates, byName, 0, new ArrayList<>(), new boolean[8], 0, new TreeMap<>(), layouts);
        return layouts;
    }

    private static void enumerate(List<MigPlacement> candidates, Map<String, Row> rows, int next,
                                  List<MigPlacement> chosen, boolean[] usedSlices, int compute,
                                  Map<String, Integer> counts, List<List<MigPlacement>> out) {
        if (next == candidates.size()) {
            out.add(List.copyOf(chosen));
            return;
        }
        enumerate(candidates, rows, next + 1, chosen, usedSlices, compute, counts, out);
        MigPlacement candidate = candidates.get(next);
        Row row = rows.get(candidate.profile());
        int end = candidate.start() + row.memorySlices();
        for (int slice = candidate.start(); slice < end; slice++) {
            if (usedSlices[slice]) {
                return;
            }
        }
        if (compute + row.computeSlices() > 7 || counts.getOrDefault(row.name(), 0) == row.max()) {
            return;
        }
        for (int slice = candidate.start(); slice < end; slice++) {
            usedSlices[slice] = true;
        }
        counts.merge(row.name(), 1, Integer::sum);
        chosen.add(candidate);
        enumerate(candidates, rows, next + 1, chosen, usedSlices, compute + row.computeSlices(), counts, out);
        chosen.remove(chosen.size() - 1);
        counts.merge(row.name(), -1, Integer::sum);
        for (int slice = candidate.start(); slice < end; slice++) {
            usedSlices[slice] = false;
        }
    }

    static Map<String, Row> byName(List<Row> rows) {
        Map<String, Row> byName = new TreeMap<>();
        rows.forEach(row -> byName.put(row.name(), row));
        return byName;
    }
}
