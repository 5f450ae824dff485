package dev.vigil.api.cluster;

import dev.vigil.api.binding.Documents;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** An execution backend's view of a node, as stored with the node. */
class ExecutionNodeTest {
    @Test
    void aViewStoredBeforeUnreachableCameIsOneOfANodeTheBackendReaches() throws Exception {
        ExecutionNode old = Documents.json().readValue("""
                {"backend": "slurm", "state": "idle", "available": true, "byVigil": false, "foreignJobs": [],
                 "imposedCordon": false}""", ExecutionNode.class);

        assertThat(old.unreachable()).isFalse();
    }

    @Test
    void anUnreachableNodeStaysSoThroughJsonAndWhoeverImposesACordon() throws Exception {
        ExecutionNode lost = new ExecutionNode("kubernetes", "notready", false, false, "its kubelet is NotReady", null,
                null, List.of(), false, true);

        ExecutionNode read = Documents.json().readValue(Documents.json().writeValueAsString(lost),
                ExecutionNode.class);

        assertThat(read).isEqualTo(lost);
        assertThat(read.imposing(true).unreachable()).isTrue();
    }
}
