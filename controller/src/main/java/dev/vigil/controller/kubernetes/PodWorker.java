package dev.vigil.controller.kubernetes;

import dev.vigil.k8s.EvictionOutcome;
import dev.vigil.k8s.GangService;
import dev.vigil.k8s.GpuPod;
import dev.vigil.k8s.KubeNode;
import dev.vigil.k8s.Kubernetes;
import dev.vigil.k8s.KubernetesException;
import dev.vigil.k8s.PodRequest;
import dev.vigil.k8s.UnclaimedPod;
import dev.vigil.k8s.VigilPod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Talks to the API server for the Kubernetes backend, off the scheduler loop: launches (create
 * then bind a launch's pods, or none), deletes and listings run on its executor in the order
 * asked, and what came of them is collected for the loop to take.
 */
final class PodWorker {
    private static final Logger LOG = LoggerFactory.getLogger(PodWorker.class);

    /** What came of a launch. */
    sealed interface Outcome {
        String key();
    }

    /** Every pod of the launch was created and bound to its node. */
    record Bound(String key, List<PodRef> pods, Instant at) implements Outcome {
    }

    /**
     * The launch could not be made whole and none of its pods is left.
     *
     * @param retryable placing it again may work (a bind refused, no answer); false: the API server
     *                  refused the pod itself (forbidden, invalid), and would again
     */
    record Failed(String key, String reason, boolean retryable) implements Outcome {
    }

    /**
     * The API server's pods and nodes, listed after {@code asked}; {@code foreign}: other schedulers' GPU pods;
     * {@code unclaimed}: pods others made for Vigil that no job claims yet; {@code services}: the gangs'
     * headless Services.
     */
    record View(Instant asked, List<VigilPod> pods, List<KubeNode> nodes, List<GpuPod> foreign,
                List<UnclaimedPod> unclaimed, List<GangService> services) {
    }

    /** A step of a drain's eviction on a node, for Vigil's events. */
    record DrainStep(String node, boolean warning, String message) {
    }

    /** A pod, by name and uid (a binding names the uid, so a namesake made since is not bound in its place). */
    record PodRef(String namespace, String name, String uid) {
        static PodRef of(VigilPod pod) {
            return new PodRef(pod.namespace(), pod.name(), pod.uid());
        }

        static PodRef of(UnclaimedPod pod) {
            return new PodRef(pod.namespace(), pod.name(), pod.uid());
        }
    }

    private final Kubernetes kubernetes;
    private final Clock clock;
    private final Executor executor;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean listing = new AtomicBoolean();
    /** Pods a drain evicts, by namespace/name: asked again while a PodDisruptionBudget refuses, deleted at the deadline. */
    private final Map<String, Eviction> evictions = new ConcurrentHashMap<>();
    private final AtomicBoolean evicting = new AtomicBoolean();
    private final ConcurrentLinkedQueue<DrainStep> drainSteps = new ConcurrentLinkedQueue<>();
    private volatile Instant lastEvicted = Instant.MIN;
    private volatile View latest;
    private volatile Instant lastAsked = Instant.MIN;

    PodWorker(Kubernetes kubernetes, Clock clock, Executor executor) {
        this.kubernetes = kubernetes;
        this.clock = clock;
        this.executor = executor;
    }

    /**
     * Creates the pods, then binds each to its node (its volume claims told the node first): all in
     * one go, so a gang is never half-placed.
     * When any create or bind fails, the pods made so far are deleted and the launch fails.
     *
     * @param nodes each pod's node, in the order of {@code pods}
     */
    void launch(String key, List<PodRequest> pods, List<String> nodes) {
        executor.execute(() -> {
            List<VigilPod> created = new ArrayList<>();
            try {
                PodRequest first = pods.get(0);
                if (first.gang() != null) {
                    kubernetes.rendezvous(first.namespace(), first.gang());
                }
                for (PodRequest pod : pods) {
                    created.add(kubernetes.create(pod));
                }
            } catch (RuntimeException e) {
                // Anything but an answer of the API server (the client closed, a body it could not read) is not
                // worth asking again; either way the launch must end, or it would stay placed forever.
                tearDown(key, created.stream().map(PodRef::of).toList());
                outcomes.add(new Failed(key, e.getMessage(), e instanceof KubernetesException k && k.retryable()));
                return;
            }
            bindAll(key, created.stream().map(PodRef::of).toList(), nodes, pods);
        });
    }

    /**
     * Binds pods that exist already (made by others, claimed by a job) each to its node, all in one
     * go; when any bind fails, all of them are deleted and the launch fails: never half-placed.
     */
    void bind(String key, List<PodRef> pods, List<String> nodes) {
        executor.execute(() -> bindAll(key, pods, nodes, null));
    }

    /**
     * @param requests what the pods were made from, in the same order (their volume claims are told
     *                 the node first), or null for pods others made
     */
    private void bindAll(String key, List<PodRef> pods, List<String> nodes, List<PodRequest> requests) {
        try {
            for (int i = 0; i < pods.size(); i++) {
                PodRef pod = pods.get(i);
                if (requests != null) {
                    kubernetes.selectNodeForClaims(requests.get(i), nodes.get(i));
                }
                kubernetes.bind(pod.namespace(), pod.name(), pod.uid(), nodes.get(i));
            }
        } catch (RuntimeException e) {
            tearDown(key, pods);
            // Whatever the status, the pods are gone: placing the launch again is sound.
            outcomes.add(new Failed(key, e.getMessage(), true));
            return;
        }
        outcomes.add(new Bound(key, pods, clock.instant()));
    }

    private void tearDown(String key, List<PodRef> pods) {
        for (PodRef pod : pods) {
            delete(key, pod.namespace(), pod.name());
        }
    }

    /** Labels pods others made as the job's, and tells them so with an Event. */
    void claim(String job, List<PodRef> pods, String message) {
        executor.execute(() -> {
            for (PodRef pod : pods) {
                try {
                    kubernetes.claim(pod.namespace(), pod.name(), job);
                    kubernetes.event(pod.namespace(), pod.name(), pod.uid(), "Normal", "Claimed", message);
                } catch (RuntimeException e) {
                    LOG.atWarn().addKeyValue("job", job).addKeyValue("pod", pod.namespace() + "/" + pod.name())
                            .addKeyValue("error", e.getMessage()).log("kubernetes_claim_failed");
                }
            }
        });
    }

    /** Tells whoever made a pod why Vigil does not schedule it (an Event and the pod's condition). */
    void refuse(PodRef pod, String reason, String message) {
        executor.execute(() -> {
            try {
                kubernetes.refuse(pod.namespace(), pod.name(), pod.uid(), reason, message);
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("pod", pod.namespace() + "/" + pod.name())
                        .addKeyValue("error", e.getMessage()).log("kubernetes_refuse_failed");
            }
        });
    }

    /** Deletes a gang's headless Service (one already gone is fine). */
    void deleteRendezvous(String namespace, String gang) {
        executor.execute(() -> {
            try {
                kubernetes.deleteRendezvous(namespace, gang);
            } catch (RuntimeException e) {
                // The next listing shows it again as an orphan, and its delete is asked again.
                LOG.atWarn().addKeyValue("service", namespace + "/" + gang).addKeyValue("error", e.getMessage())
                        .log("kubernetes_service_delete_failed");
            }
        });
    }

    /** Deletes pods (those already gone are fine). */
    void delete(String key, String namespace, List<String> pods) {
        executor.execute(() -> pods.forEach(pod -> delete(key, namespace, pod)));
    }

    private void delete(String key, String namespace, String pod) {
        try {
            kubernetes.delete(namespace, pod);
        } catch (RuntimeException e) {
            // The next listing shows it again as an orphan, and its delete is asked again.
            LOG.atWarn().addKeyValue("key", key).addKeyValue("pod", namespace + "/" + pod)
                    .addKeyValue("error", e.getMessage()).log("kubernetes_delete_failed");
        }
    }

    /** A pod to evict for the drain of its node, until {@code deadline}. */
    private static final class Eviction {
        final String namespace;
        final String pod;
        final String node;
        final Instant deadline;
        /** The first refusal was told (an Event), the next ones are not. */
        boolean blockedTold;

        Eviction(String namespace, String pod, String node, Instant deadline) {
            this.namespace = namespace;
            this.pod = pod;
            this.node = node;
            this.deadline = deadline;
        }
    }

    /**
     * Evicts a pod through the Eviction API, which respects its PodDisruptionBudgets: refused (429),
     * it is asked again at each {@link #evictDue} until {@code deadline}, then deleted. Each step is
     * an Event on the pod.
     */
    void evict(String namespace, String pod, String node, Instant deadline) {
        evictions.putIfAbsent(namespace + "/" + pod, new Eviction(namespace, pod, node, deadline));
    }

    /** Whether a drain still evicts the pod (it must not be deleted as an orphan meanwhile). */
    boolean evicting(String namespace, String pod) {
        return evictions.containsKey(namespace + "/" + pod);
    }

    /** Asks again for the evictions under way, unless a round runs or the last began less than {@code every} ago. */
    void evictDue(Duration every) {
        Instant now = clock.instant();
        if (evictions.isEmpty() || now.isBefore(lastEvicted.plus(every)) || !evicting.compareAndSet(false, true)) {
            return;
        }
        lastEvicted = now;
        executor.execute(() -> {
            try {
                evictions.values().forEach(this::evictOnce);
            } finally {
                evicting.set(false);
            }
        });
    }

    private void evictOnce(Eviction eviction) {
        String where = eviction.namespace + "/" + eviction.pod;
        try {
            if (!clock.instant().isBefore(eviction.deadline)) {
                kubernetes.delete(eviction.namespace, eviction.pod);
                evictions.remove(where);
                tell(eviction, "Warning", "EvictionDeadline", "not evicted by " + eviction.deadline
                        + " (kubernetes.evictionDeadline), a PodDisruptionBudget refusing: deleted for the drain of "
                        + "node " + eviction.node);
                LOG.atWarn().addKeyValue("pod", where).addKeyValue("node", eviction.node)
                        .addKeyValue("deadline", eviction.deadline).log("kubernetes_eviction_deadline");
                return;
            }
            EvictionOutcome outcome = kubernetes.evict(eviction.namespace, eviction.pod);
            if (outcome == EvictionOutcome.BLOCKED) {
                if (!eviction.blockedTold) {
                    eviction.blockedTold = true;
                    tell(eviction, "Warning", "EvictionBlocked", "a PodDisruptionBudget does not allow evicting it "
                            + "for the drain of node " + eviction.node + " now: Vigil asks again until "
                            + eviction.deadline + ", then deletes it");
                }
                LOG.atInfo().addKeyValue("pod", where).addKeyValue("node", eviction.node)
                        .addKeyValue("deadline", eviction.deadline).log("kubernetes_eviction_blocked");
                return;
            }
            evictions.remove(where);
            if (outcome == EvictionOutcome.EVICTED) {
                tell(eviction, "Normal", "Evicted", "evicted through the Eviction API: node " + eviction.node
                        + " is drained in Vigil");
            }
            LOG.atInfo().addKeyValue("pod", where).addKeyValue("node", eviction.node)
                    .addKeyValue("outcome", outcome.name().toLowerCase(Locale.ROOT)).log("kubernetes_evicted");
        } catch (RuntimeException e) {
            // Asked again at the next round, and deleted at the deadline whatever the API server says.
            LOG.atWarn().addKeyValue("pod", where).addKeyValue("error", e.getMessage())
                    .log("kubernetes_eviction_failed");
        }
    }

    /** An Event on the pod, and a step for Vigil's events; an Event that cannot be recorded is logged, and the drain goes on. */
    private void tell(Eviction eviction, String type, String reason, String message) {
        drainSteps.add(new DrainStep(eviction.node, "Warning".equals(type), "pod " + eviction.namespace + "/"
                + eviction.pod + " " + reason + ": " + message));
        try {
            kubernetes.event(eviction.namespace, eviction.pod, null, type, reason, message);
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("pod", eviction.namespace + "/" + eviction.pod).addKeyValue("reason", reason)
                    .addKeyValue("error", e.getMessage()).log("kubernetes_event_failed");
        }
    }

    /** Asks for a new listing unless one is under way or the last was asked less than {@code every} ago. */
    void refresh(Duration every) {
        Instant now = clock.instant();
        if (now.isBefore(lastAsked.plus(every)) || !listing.compareAndSet(false, true)) {
            return;
        }
        lastAsked = now;
        executor.execute(() -> {
            try {
                Instant asked = clock.instant();
                latest = new View(asked, kubernetes.vigilPods(), kubernetes.nodes(), kubernetes.foreignGpuPods(),
                        kubernetes.unclaimedPods(), kubernetes.gangServices());
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("server", kubernetes.server()).addKeyValue("error", e.getMessage())
                        .log("kubernetes_list_failed");
            } finally {
                listing.set(false);
            }
        });
    }

    /** The drain steps since the last call, oldest first. */
    List<DrainStep> takeDrainSteps() {
        List<DrainStep> taken = new ArrayList<>();
        for (DrainStep step = drainSteps.poll(); step != null; step = drainSteps.poll()) {
            taken.add(step);
        }
        return taken;
    }

    /**
     * Pods others made, claimed by a job that ended before it was placed (cancelled while queued):
     * told why with an Event, then deleted, so they do not stay pending for a job that will never
     * bind them.
     */
    void release(String job, List<PodRef> pods, String message) {
        executor.execute(() -> {
            for (PodRef pod : pods) {
                try {
                    kubernetes.event(pod.namespace(), pod.name(), pod.uid(), "Warning", "JobEnded", message);
                } catch (RuntimeException e) {
                    LOG.atWarn().addKeyValue("job", job).addKeyValue("pod", pod.namespace() + "/" + pod.name())
                            .addKeyValue("error", e.getMessage()).log("kubernetes_event_failed");
                }
                delete(job, pod.namespace(), pod.name());
            }
        });
    }

    /** The newest listing, or null before the first. */
    View latest() {
        return latest;
    }

    /** The outcomes since the last call, oldest first. */
    List<Outcome> take() {
        List<Outcome> taken = new ArrayList<>();
        for (Outcome outcome = outcomes.poll(); outcome != null; outcome = outcomes.poll()) {
            taken.add(outcome);
        }
        return taken;
    }

    /** Drops what came back: this member no longer leads, and the next leader adopts by label. */
    void forget() {
        outcomes.clear();
        evictions.clear();
        drainSteps.clear();
        latest = null;
        lastAsked = Instant.MIN;
    }
}
