package dev.vigil.controller.state;

import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeState;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.controller.TestController;
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
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The node records a store reads back: what it wrote itself, unparsed; what another member wrote, fresh. */
class StoreTest {
    private static Ignite ignite;

    @BeforeAll
    static void start(@TempDir Path work) throws IOException {
        // a free discovery port and a work directory of its own: other tests' members run beside this one
        int discovery = TestController.freePort();
        ignite = Ignition.start(new IgniteConfiguration()
                .setIgniteInstanceName("store-test")
                .setWorkDirectory(work.toString())
                .setDiscoverySpi(new TcpDiscoverySpi().setIpFinder(new TcpDiscoveryVmIpFinder(true)
                        .setAddresses(List.of("127.0.0.1:" + discovery))).setLocalPort(discovery)
                        .setLocalPortRange(0))
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

    private static ClusterEvent event(String message) {
        return new ClusterEvent(0, Instant.parse("2026-12-07T10:00:00Z"), null, null, "job", Severity.INFO,
                RepairAction.NONE, message, "scheduler");
    }

    @Test
    void eventsAppendedTogetherAreNumberedInTheirOrderRightAfterTheOnesBefore() {
        Store store = new Store(ignite);
        long first = store.append(event("alone")).seq();
        List<ClusterEvent> together = store.appendAll(List.of(event("a"), event("b"), event("c")));
        assertThat(together).extracting(ClusterEvent::seq).containsExactly(first + 1, first + 2, first + 3);
        assertThat(store.append(event("after")).seq()).isEqualTo(first + 4);
        assertThat(store.events(first - 1, 10, null).items()).extracting(ClusterEvent::message)
                .containsExactly("alone", "a", "b", "c", "after");
        assertThat(store.appendAll(List.of())).isEmpty();
        assertThat(store.append(event("next")).seq()).as("nothing appended, no number taken").isEqualTo(first + 5);
    }
}
