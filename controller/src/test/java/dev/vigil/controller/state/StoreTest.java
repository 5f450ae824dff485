package dev.vigil.controller.state;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The node records a store reads back: what it wrote itself, unparsed; what another member wrote, fresh. */
class StoreTest {
    private static Ignite ignite;

    @BeforeAll
    static void start() {
        ignite = Ignition.start(new IgniteConfiguration()
                .setIgniteInstanceName("store-test")
                .setDiscoverySpi(new TcpDiscoverySpi().setIpFinder(new TcpDiscoveryVmIpFinder(true)
                        .setAddresses(List.of("127.0.0.1:47600..47609"))).setLocalPort(47600))
                .setDataStorageConfiguration(new DataStorageConfiguration().setDataRegionConfigurations(
                        new DataRegionConfiguration().setName(Store.VOLATILE_REGION).setMaxSize(64L << 20)))
                .setClientConnectorConfiguration(null)
                .setConnectorConfiguration(null));
    }

    @AfterAll
    static void stop() {
        ignite.close();
    }

    private static NodeRecord node(String name, String reason) {
        return new NodeRecord(name, NodeState.READY, reason, "scheduler", null, null, null, null, null, null, null,
                null, false, null, false, 1, 0, null, 0, null, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void aNodeItWroteIsReadBackAsWrittenWithoutParsingItsJsonAgain() {
        Store store = new Store(ignite);
        NodeRecord written = node("memo-1", "placed j-000001");
        store.put(written);
        assertThat(store.node("memo-1")).containsSame(written);
        assertThat(store.nodes()).filteredOn(n -> n.name().equals("memo-1")).singleElement().isSameAs(written);
    }

    @Test
    void aNodeAnotherMemberWroteSinceIsReadAsThatMemberWroteIt() {
        Store leader = new Store(ignite);
        Store other = new Store(ignite);
        leader.put(node("memo-2", "first"));
        assertThat(leader.node("memo-2")).map(NodeRecord::reason).hasValue("first");
        other.put(node("memo-2", "second"));
        assertThat(leader.node("memo-2")).map(NodeRecord::reason).hasValue("second");
        assertThat(leader.nodes()).filteredOn(n -> n.name().equals("memo-2")).extracting(NodeRecord::reason)
                .containsExactly("second");
    }
}
