package dev.vigil.controller.kubernetes;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.controller.config.BackendName;
import dev.vigil.controller.config.KubernetesSettings;
import dev.vigil.controller.leader.NodeListener;
import dev.vigil.k8s.Kubernetes;
import dev.vigil.k8s.KubernetesException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Carries Vigil's cordons to Kubernetes the moment the leader stores them: a node cordoned in
 * Vigil (by an operator, or by the health reflex on an XID 79) gets {@code spec.unschedulable}
 * and the taint {@code vigil.dev/gpu-unhealthy:NoSchedule}; uncordoned, Vigil's taint goes, and
 * {@code spec.unschedulable} too when Vigil set it. Someone else's cordon is never undone, and
 * cordons that came from Kubernetes are not sent back. Runs on a thread of its own; the
 * connection is the backend's too.
 */
public final class KubernetesNodeSync implements NodeListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesNodeSync.class);

    private final Kubernetes kubernetes;
    private final Executor thread;

    /** Connects with the section's kubeconfig, or the in-cluster service account. */
    public KubernetesNodeSync(KubernetesSettings settings) {
        this(Kubernetes.connect(settings.kubeconfig()), Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vigil-kubernetes-node-sync");
            t.setDaemon(true);
            return t;
        }));
    }

    /** @param thread where the API server is asked (a test's runs it at once) */
    KubernetesNodeSync(Kubernetes kubernetes, Executor thread) {
        this.kubernetes = kubernetes;
        this.thread = thread;
    }

    Kubernetes kubernetes() {
        return kubernetes;
    }

    @Override
    public void changed(NodeRecord old, NodeRecord next) {
        if (old == null || old.cordoned() == next.cordoned() || BackendName.KUBERNETES.equals(next.actor())) {
            return;
        }
        String node = next.name();
        boolean cordon = next.cordoned();
        thread.execute(() -> {
            try {
                if (cordon) {
                    kubernetes.cordon(node);
                } else {
                    kubernetes.uncordon(node);
                }
                LOG.atInfo().addKeyValue("node", node).addKeyValue("action", cordon ? "cordon" : "uncordon")
                        .addKeyValue("reason", next.reason()).addKeyValue("actor", next.actor())
                        .log("kubernetes_node_synced");
            } catch (RuntimeException e) {
                // A node Kubernetes does not have (404) is not Kubernetes' to cordon.
                LOG.atWarn().addKeyValue("node", node).addKeyValue("action", cordon ? "cordon" : "uncordon")
                        .addKeyValue("status", e instanceof KubernetesException k ? k.status() : 0)
                        .addKeyValue("error", e.getMessage())
                        .log("kubernetes_node_sync_failed");
            }
        });
    }

    @Override
    public void close() {
        if (thread instanceof ExecutorService service) {
            service.shutdownNow();
        }
        kubernetes.close();
    }
}
