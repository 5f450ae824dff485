package dev.vigil.gpu.nvml;

import dev.vigil.api.gpu.NvlinkPeer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who reaches whom over NVLink, from what each GPU's links report: a link that is up and ends at
 * another GPU of the node (matched by PCI bus id) makes that GPU a peer; links that end at NVSwitches
 * make every GPU with NVSwitch links a peer of every other (the fabric is all-to-all), with as many
 * links as the poorer side has up, the way nvidia-smi topo prints NV18 on an HGX board.
 */
final class NvlinkTopology {
    /** What one link reports: whether it is up, what is at its far end, and that device's bus id. */
    record Link(boolean up, int remoteType, String remoteBusId) {
    }

    private final List<List<NvlinkPeer>> peers;
    private final int[] linksUp;
    private final String fabric;
    private final List<List<Integer>> domains;

    private NvlinkTopology(List<List<NvlinkPeer>> peers, int[] linksUp, String fabric, List<List<Integer>> domains) {
        this.peers = peers;
        this.linksUp = linksUp;
        this.fabric = fabric;
        this.domains = domains;
    }

    /**
     * @param busIds each GPU's bus id, by index
     * @param links  each GPU's links, by index (empty for a GPU without NVLink)
     */
    static NvlinkTopology of(List<String> busIds, List<List<Link>> links) {
        int n = busIds.size();
        Map<String, Integer> byBus = new HashMap<>();
        for (int i = 0; i < n; i++) {
            byBus.put(busIds.get(i), i);
        }
        int[] up = new int[n];
        int[] toSwitch = new int[n];
        int[][] direct = new int[n][n];
        for (int i = 0; i < n; i++) {
            for (Link link : links.get(i)) {
                if (!link.up()) {
                    continue;
                }
                up[i]++;
                if (link.remoteType() == Nvml.NVLINK_REMOTE_SWITCH) {
                    toSwitch[i]++;
                } else if (link.remoteType() == Nvml.NVLINK_REMOTE_GPU) {
                    Integer peer = byBus.get(link.remoteBusId());
                    if (peer != null && peer != i) {
                        direct[i][peer]++;
                    }
                }
            }
        }
        List<List<NvlinkPeer>> peers = new ArrayList<>(n);
        int[] component = new int[n];
        Arrays.setAll(component, i -> i);
        boolean anySwitch = false;
        boolean anyDirect = false;
        for (int i = 0; i < n; i++) {
            List<NvlinkPeer> mine = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                int viaSwitch = i != j && toSwitch[i] > 0 && toSwitch[j] > 0 ? Math.min(toSwitch[i], toSwitch[j]) : 0;
                int count = direct[i][j] + viaSwitch;
                if (count > 0) {
                    mine.add(new NvlinkPeer(j, count));
                    union(component, i, j);
                    anySwitch |= viaSwitch > 0;
                    anyDirect |= direct[i][j] > 0;
                }
            }
            peers.add(List.copyOf(mine));
        }
        String fabric = anySwitch ? "nvswitch" : anyDirect ? "direct" : "none";
        return new NvlinkTopology(peers, up, fabric, groups(component, 2));
    }

    List<NvlinkPeer> peers(int gpu) {
        return peers.get(gpu);
    }

    int linksUp(int gpu) {
        return linksUp[gpu];
    }

    /** {@code nvswitch}, {@code direct} or {@code none}. */
    String fabric() {
        return fabric;
    }

    /** Groups of GPUs that reach each other over NVLink, each ascending, ordered by their first GPU. */
    List<List<Integer>> domains() {
        return domains;
    }

    static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }

    static int find(int[] parent, int a) {
        while (parent[a] != a) {
            parent[a] = parent[parent[a]];
            a = parent[a];
        }
        return a;
    }

    /** The union-find's sets of at least {@code minSize} members, ascending, ordered by their first member. */
    static List<List<Integer>> groups(int[] parent, int minSize) {
        Map<Integer, List<Integer>> byRoot = new TreeMap<>();
        for (int i = 0; i < parent.length; i++) {
            byRoot.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(i);
        }
        return byRoot.values().stream().filter(g -> g.size() >= minSize).map(List::copyOf).toList();
    }
}
