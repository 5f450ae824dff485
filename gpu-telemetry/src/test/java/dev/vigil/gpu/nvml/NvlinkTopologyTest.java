package dev.vigil.gpu.nvml;

import dev.vigil.api.gpu.NvlinkPeer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NvlinkTopologyTest {
    private static final List<String> BUSES = List.of("00000000:01:00.0", "00000000:02:00.0", "00000000:03:00.0",
            "00000000:04:00.0");

    @Test
    void switchLinksMakeAllToAllPeersWithThePoorerSidesLinkCount() {
        List<List<NvlinkTopology.Link>> links = List.of(toSwitch(18, 0), toSwitch(18, 0), toSwitch(18, 6),
                toSwitch(0, 0));
        NvlinkTopology topology = NvlinkTopology.of(BUSES, links);
        assertThat(topology.fabric()).isEqualTo("nvswitch");
        assertThat(topology.peers(0)).containsExactly(new NvlinkPeer(1, 18), new NvlinkPeer(2, 12));
        assertThat(topology.peers(3)).isEmpty();
        assertThat(topology.linksUp(2)).isEqualTo(12);
        assertThat(topology.domains()).containsExactly(List.of(0, 1, 2));
    }

    @Test
    void directLinksCountPerPeerAndIgnoreUnknownRemotes() {
        List<List<NvlinkTopology.Link>> links = List.of(
                List.of(gpu(BUSES.get(1)), gpu(BUSES.get(1)), gpu("00000000:7F:00.0")),
                List.of(gpu(BUSES.get(0)), gpu(BUSES.get(0))),
                List.of(gpu(BUSES.get(3))),
                List.of(gpu(BUSES.get(2)), new NvlinkTopology.Link(false, Nvml.NVLINK_REMOTE_GPU, null)));
        NvlinkTopology topology = NvlinkTopology.of(BUSES, links);
        assertThat(topology.fabric()).isEqualTo("direct");
        assertThat(topology.peers(0)).containsExactly(new NvlinkPeer(1, 2));
        assertThat(topology.peers(2)).containsExactly(new NvlinkPeer(3, 1));
        assertThat(topology.linksUp(0)).isEqualTo(3);
        assertThat(topology.linksUp(3)).isEqualTo(1);
        assertThat(topology.domains()).containsExactly(List.of(0, 1), List.of(2, 3));
    }

    @Test
    void noLinksNoFabric() {
        NvlinkTopology topology = NvlinkTopology.of(BUSES, Collections.nCopies(4, List.of()));
        assertThat(topology.fabric()).isEqualTo("none");
        assertThat(topology.domains()).isEmpty();
    }

    private static List<NvlinkTopology.Link> toSwitch(int links, int down) {
        List<NvlinkTopology.Link> list = new ArrayList<>();
        for (int i = 0; i < links; i++) {
            list.add(new NvlinkTopology.Link(i >= down, Nvml.NVLINK_REMOTE_SWITCH, "00000001:C1:00.0"));
        }
        return list;
    }

    private static NvlinkTopology.Link gpu(String bus) {
        return new NvlinkTopology.Link(true, Nvml.NVLINK_REMOTE_GPU, bus);
    }
}
