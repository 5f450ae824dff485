package dev.vigil.controller.kubernetes;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.cluster.ExecutionNode;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.Placement;
import dev.vigil.controller.config.BackendName;
import dev.vigil.controller.config.KubernetesSettings;
import dev.vigil.controller.execution.DesiredAllocations;
import dev.vigil.controller.execution.ExecutionBackend;
import dev.vigil.controller.execution.NodeObservations;
import dev.vigil.k8s.GangService;
import dev.vigil.k8s.GpuPod;
import dev.vigil.k8s.KubeNode;
import dev.vigil.k8s.Kubernetes;
import dev.vigil.k8s.NodeSelection;
import dev.vigil.k8s.PodPhase;
import dev.vigil.k8s.PodRequest;
import dev.vigil.k8s.UnclaimedPod;
import dev.vigil.k8s.VigilLabels;
import dev.vigil.k8s.VigilPod;
import dev.vigil.scheduler.Decision;
import dev.vigil.scheduler.placement.NodeConstraint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code kubernetes} backend: each placed job becomes pods with {@code schedulerName: vigil}
 * that Vigil binds itself to the nodes the scheduler chose, a training gang's pods together in
 * one go; when any of them cannot be created or bound, all of them are deleted and the gang is
 * requeued: never half-placed, and holding no quota while not placed. An inference replica is
 * a pod of its own that restarts when it exits.
 *
 * <p>State mapping, from the pods' phases and container statuses at each listing: every pod of a
 * job Running (or a gang's pod Succeeded) makes it running; every pod of a gang Succeeded
 * succeeds it; a pod Failed because its container did fails it, with the reason and exit code; a
 * pod the kubelet refused or evicted ({@code UnexpectedAdmissionError}, {@code Evicted}, …), a pod
 * deleted outside Vigil, or a pod whose node left the cluster gives the job back to the scheduler,
 * which requeues a gang and replaces a replica.
 *
 * <p>Each listing also says how Kubernetes sees the nodes Vigil knows ({@link NodeObservations}):
 * a node NotReady, or cordoned or tainted by someone else, is one Vigil cordons too (and uncordons
 * when Kubernetes takes work there again); GPU pods other schedulers put there count as used.
 *
 * <p>Creates, binds, deletes and listings run on the {@link PodWorker}'s thread: the scheduler
 * loop, which alone calls this class, never waits on the API server. Node names are the same in
 * Kubernetes and in Vigil (the agent reports under the node's name).
 */
public final class KubernetesBackend implements ExecutionBackend, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesBackend.class);
    /** What this backend puts before a pod's namespace/name in an allocation's backend job. */
    static final String RUNS_AS = BackendName.KUBERNETES + ":";
    /** Who submits the jobs that pods made by others become. */
    static final String CLAIMED_BY = "kubernetes";
    /** Pod reasons that say the kubelet or the node, not the job's code, ended the pod. */
    private static final Set<String> NOT_THE_JOBS_FAULT = Set.of("UnexpectedAdmissionError", "Evicted",
            "NodeLost", "NodeAffinity", "Shutdown", "Terminated", "OutOfcpu", "OutOfmemory", "Preempting");

    private final KubernetesSettings settings;
    private final Kubernetes kubernetes;
    private final DesiredAllocations nodes;
    private final NodeObservations observations;
    private final PodWorker worker;
    private final Clock clock;
    private final ExecutorService ownThread;
    /** What this backend launched, by key: {@code job/gang} or {@code job/r<replica>}. */
    private final Map<String, Launch> launches = new LinkedHashMap<>();
    /** Jobs that could not even be made pods, and why: failed at the next poll. */
    private final Map<String, String> unlaunchable = new LinkedHashMap<>();
    /** Pods others made that jobs claimed, by job, waiting for the scheduler to place the job; in placement order. */
    private final Map<String, List<PodWorker.PodRef>> claimedPods = new HashMap<>();
    /** Jobs made of claimed pods: placed again without them (they were deleted), they cannot run. */
    private final Set<String> claimedJobs = new HashSet<>();
    /** Uids of the pods being claimed: until a listing shows their job label, they are not claimed twice. */
    private final Set<String> claiming = new HashSet<>();
    /** Finished pods kept for {@code kubernetes.finishedTtl}, by namespace/name, and until when. */
    private final Map<String, Instant> finishedPods = new HashMap<>();
    /** What this leader told each pod it refused, so it is said once. */
    private final Set<String> refusalsSaid = new HashSet<>();
    /** Each node's Kubernetes labels, from the latest listing: what pods' nodeSelectors are held against. */
    private final Map<String, Map<String, String>> nodeLabels = new HashMap<>();
    /** One lookup for every job's {@link NodeLabels}, so that jobs asking the same share one scheduler form. */
    private final Function<String, Map<String, String>> labelsOf = nodeLabels::get;
    /** Makes new pod names differ from those of a replica's old pods, which may still be terminating. */
    private final String incarnation;
    private long launched;
    private PodWorker.View seen;

    /** One gang or one replica. Owned by the scheduler loop's thread. */
    private static final class Launch {
        final String key;
        /** Where its pods are: the backend's namespace, or the claimed pods' own. */
        String namespace;
        /** Its pods were made by someone else and claimed: lost, they cannot be made again, and the job ends. */
        boolean claimed;
        final String job;
        final JobSpec spec;
        final int attempt;
        /** Where its pods run, one per pod; moved to the GPUs the device plugin picked once the agents see them. */
        List<Placement> placements;
        /** Its pods' names, one per placement, in order. */
        List<String> pods;
        /** Its pods' uids, in the same order, once bound or adopted: the agents attribute GPU processes by them. */
        List<String> uids;
        /** When its pods were bound; null while the worker creates them, or while taken over and not yet seen. */
        Instant bound;
        /** Taken over from another leader: its pods are looked for by label in a listing asked for after this. */
        Instant lookFrom;
        boolean running;
        /** What was logged about pods of it seen in a MIG instance it cannot move to, so it is logged once. */
        final Set<String> ignoredSlices = new HashSet<>();

        Launch(String job, JobSpec spec, int attempt, List<Placement> placements) {
            this.job = job;
            this.spec = spec;
            this.attempt = attempt;
            this.placements = List.copyOf(placements);
            this.key = key(job, placements.get(0).replica());
        }

        static String key(String job, Integer replica) {
            return job + "/" + (replica == null ? "gang" : "r" + replica);
        }

        List<String> nodeNames() {
            return placements.stream().map(Placement::node).toList();
        }
    }

    /** Works on a thread of its own, over the node sync's connection. */
    public KubernetesBackend(KubernetesSettings settings, DesiredAllocations nodes, NodeObservations observations,
                             KubernetesNodeSync sync, Clock clock) {
        this(settings, sync.kubernetes(), nodes, observations, clock, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vigil-kubernetes");
            t.setDaemon(true);
            return t;
        }));
    }

    /** @param worker where requests to the API server run (a test's runs them at once) */
    KubernetesBackend(KubernetesSettings settings, Kubernetes kubernetes, DesiredAllocations nodes,
                      NodeObservations observations, Clock clock, Executor worker) {
        this.settings = settings;
        this.kubernetes = kubernetes;
        this.nodes = nodes;
        this.observations = observations;
        this.worker = new PodWorker(kubernetes, clock, worker);
        this.clock = clock;
        this.ownThread = worker instanceof ExecutorService service ? service : null;
        this.incarnation = Long.toString(clock.millis() / 1000 % 1_000_000, 36);
    }

    @Override
    public String name() {
        return BackendName.KUBERNETES;
    }

    @Override
    public void check(JobSpec spec) {
        PodRequests.check(spec, settings.namespace());
    }

    /** A job whose pods ask for nodes by label (a manifest's or a claimed pod's nodeSelector or node affinity). */
    @Override
    public NodeConstraint nodeConstraint(JobSpec spec) {
        NodeSelection selection;
        try {
            selection = NodeSelection.of(spec.podTemplate());
        } catch (InvalidValueException e) {
            return null;   // check() refuses such a template before the job is queued
        }
        return selection == null ? null : new NodeLabels(selection, labelsOf);
    }

    @Override
    public void start(Decision.Start start) {
        if (start.spec().kind() == JobKind.TRAINING) {
            launch(new Launch(start.job(), start.spec(), start.attempt(), start.placements()));
        } else {
            for (Placement placement : start.placements()) {
                launch(new Launch(start.job(), start.spec(), start.attempt(), List.of(placement)));
            }
        }
    }

    private void launch(Launch launch) {
        launch.namespace = settings.namespace();
        List<PodWorker.PodRef> claimed = claimedPods.remove(launch.job);
        if (claimed != null || claimedJobs.contains(launch.job)) {
            launchClaimed(launch, claimed);
            return;
        }
        List<PodRequest> requests;
        try {
            requests = PodRequests.of(settings.namespace(), launch.job, launch.spec, launch.attempt,
                    launch.placements, incarnation + Long.toString(launched++, 36));
        } catch (IllegalArgumentException e) {
            unlaunchable.put(launch.job, "cannot be a pod: " + e.getMessage());
            return;
        }
        launch.pods = requests.stream().map(PodRequest::name).toList();
        launches.put(launch.key, launch);
        worker.launch(launch.key, requests, launch.nodeNames());
        LOG.atInfo().addKeyValue("job", launch.job).addKeyValue("key", launch.key)
                .addKeyValue("pods", String.join(",", launch.pods))
                .addKeyValue("nodes", String.join(",", launch.nodeNames())).log("kubernetes_launch");
    }

    /** Binds the pods a job claimed to the nodes the scheduler chose, a gang's together (placement i: pod i). */
    private void launchClaimed(Launch launch, List<PodWorker.PodRef> pods) {
        if (pods == null || pods.size() != launch.placements.size()) {
            unlaunchable.put(launch.job, "its pods, made outside Vigil, are gone (deleted when it was stopped or "
                    + "lost): Vigil does not make them again; their owner's controller may make new ones");
            return;
        }
        launch.claimed = true;
        launch.namespace = pods.get(0).namespace();
        launch.pods = pods.stream().map(PodWorker.PodRef::name).toList();
        launches.put(launch.key, launch);
        worker.bind(launch.key, pods, launch.nodeNames());
        LOG.atInfo().addKeyValue("job", launch.job).addKeyValue("key", launch.key)
                .addKeyValue("pods", launch.namespace + "/" + String.join(",", launch.pods))
                .addKeyValue("nodes", String.join(",", launch.nodeNames())).log("kubernetes_launch_claimed");
    }

    @Override
    public void stop(Decision.Stop stop) {
        for (Launch launch : List.copyOf(launches.values())) {
            if (launch.job.equals(stop.job()) && stop.placements().stream().anyMatch(p -> covers(launch, p))) {
                evictFromDrainedNodes(launch);
                withdraw(launch);
                if (launch.claimed) {
                    // Requeued (preempted, drained), it would wait for pods nobody makes again: it ends instead.
                    unlaunchable.put(launch.job, "stopped (" + stop.reason() + "): its pods, made outside Vigil, "
                            + "are deleted, and Vigil does not make them again");
                }
                LOG.atInfo().addKeyValue("job", launch.job).addKeyValue("key", launch.key)
                        .addKeyValue("reason", stop.reason()).log("kubernetes_stop");
            }
        }
    }

    private static boolean covers(Launch launch, Placement placement) {
        return launch.placements.stream().anyMatch(p -> p.node().equals(placement.node())
                && Objects.equals(p.replica(), placement.replica()));
    }

    /**
     * The launch's pods on nodes an operator drains in Vigil are evicted through the Eviction API
     * (PodDisruptionBudgets respected until {@code kubernetes.evictionDeadline}, then deleted);
     * {@link #withdraw} deletes the others at once.
     */
    private void evictFromDrainedNodes(Launch launch) {
        if (launch.pods == null) {
            return;
        }
        Instant deadline = clock.instant().plus(settings.evictionDeadline());
        for (int i = 0; i < launch.pods.size(); i++) {
            String node = launch.placements.get(i).node();
            if (nodes.node(node).map(NodeRecord::drain).orElse(false)) {
                worker.evict(launch.namespace, launch.pods.get(i), node, deadline);
                observations.told(node, "drain", Severity.INFO, "pod " + launch.namespace + "/" + launch.pods.get(i)
                        + " of job " + launch.job + " evicting through the Eviction API for the drain of node " + node
                        + " (PodDisruptionBudgets respected until " + deadline + ", then deleted)", CLAIMED_BY,
                        clock.instant());
                LOG.atInfo().addKeyValue("job", launch.job).addKeyValue("pod", launch.namespace + "/"
                        + launch.pods.get(i)).addKeyValue("node", node).addKeyValue("deadline", deadline)
                        .log("kubernetes_evicting");
            }
        }
    }

    /** Deletes a launch's pods (but those a drain evicts) and takes its allocations off its nodes. */
    private void withdraw(Launch launch) {
        launches.remove(launch.key);
        if (launch.pods != null) {
            worker.delete(launch.key, launch.namespace, launch.pods.stream()
                    .filter(pod -> !worker.evicting(launch.namespace, pod) && !kept(launch.namespace, pod)).toList());
        }
        if (launch.running) {
            for (Placement placement : launch.placements) {
                nodes.change(placement.node(), current -> current.stream()
                        .filter(a -> !(a.job().equals(launch.job) && Objects.equals(a.replica(), placement.replica())))
                        .toList());
            }
        }
    }

    @Override
    public void poll(Instant now, Listener listener) {
        for (Map.Entry<String, String> refused : List.copyOf(unlaunchable.entrySet())) {
            launches.values().stream().filter(l -> l.job.equals(refused.getKey())).findFirst()
                    .ifPresentOrElse(l -> end(l, false, refused.getValue(), now, listener),
                            () -> listener.finished(refused.getKey(), false, refused.getValue(), now));
        }
        unlaunchable.clear();
        for (PodWorker.Outcome outcome : worker.take()) {
            Launch launch = launches.get(outcome.key());
            if (launch == null) {
                continue;   // stopped meanwhile: its pods' delete is queued behind the launch
            }
            if (outcome instanceof PodWorker.Bound bound) {
                launch.bound = bound.at();
                launch.uids = bound.pods().stream().map(PodWorker.PodRef::uid).toList();
                LOG.atInfo().addKeyValue("job", launch.job).addKeyValue("key", launch.key)
                        .addKeyValue("pods", bound.pods().size()).log("kubernetes_bound");
            } else {
                PodWorker.Failed failed = (PodWorker.Failed) outcome;
                launch.pods = null;   // the worker deleted them already
                if (failed.retryable()) {
                    lose(launch, "could not place its pods, deleted them all: " + failed.reason(), now, listener);
                } else {
                    end(launch, false, "Kubernetes refused its pods: " + failed.reason(), now, listener);
                }
            }
        }
        worker.refresh(settings.poll());
        worker.evictDue(settings.poll());
        for (PodWorker.DrainStep step : worker.takeDrainSteps()) {
            observations.told(step.node(), "drain", step.warning() ? Severity.WARNING : Severity.INFO, step.message(),
                    CLAIMED_BY, now);
        }
        PodWorker.View view = worker.latest();
        if (view == null || view == seen) {
            return;
        }
        seen = view;
        nodeLabels.clear();
        view.nodes().forEach(node -> nodeLabels.put(node.name(), node.labels()));
        Set<String> nodeNames = new HashSet<>(view.nodes().stream().map(KubeNode::name).toList());
        Map<String, List<VigilPod>> byJob = new HashMap<>();
        for (VigilPod pod : view.pods()) {
            byJob.computeIfAbsent(pod.job(), j -> new ArrayList<>()).add(pod);
        }
        claiming.removeIf(uid -> view.pods().stream().anyMatch(p -> p.uid().equals(uid)));
        deleteExpired(view);
        findClaimed(view);
        releaseEnded(listener);
        deleteOrphans(view);
        for (Launch launch : List.copyOf(launches.values())) {
            if (launches.containsKey(launch.key)) {
                follow(launch, view, byJob.getOrDefault(launch.job, List.of()), nodeNames, now, listener);
            }
        }
        launches.values().forEach(launch -> followGpus(launch, listener));
        claim(view, now, listener);
        // After following the launches: the GPUs Vigil's own pods hold are not taken for others'.
        observeNodes(view);
    }

    /**
     * Pods others made for Vigil become jobs: each gang whose pods all exist is submitted as the
     * scheduler takes any job (tenant, priority class and size checked), and its pods are labelled as
     * the job's; a pod whose annotations or GPUs are wrong, or whose job the scheduler refuses, is told
     * why (an Event and its condition {@value VigilLabels#CONDITION}), once.
     */
    private void claim(PodWorker.View view, Instant now, Listener listener) {
        PodClaims.Sorted sorted = PodClaims.sort(view.unclaimed().stream()
                .filter(p -> !claiming.contains(p.uid())).toList());
        sorted.refused().forEach(r -> refuse(r.pod(), r.message()));
        for (PodClaims.Gang gang : sorted.gangs()) {
            String job;
            try {
                job = listener.submit(gang.spec(), CLAIMED_BY);
            } catch (InvalidValueException e) {
                String message = PodClaims.asAnnotation(e).getMessage();
                gang.pods().forEach(pod -> refuse(pod, message));
                continue;
            }
            List<PodWorker.PodRef> pods = gang.pods().stream().map(PodWorker.PodRef::of).toList();
            gang.pods().forEach(pod -> claiming.add(pod.uid()));
            claimedPods.put(job, pods);
            claimedJobs.add(job);
            worker.claim(job, pods, "Vigil job " + job + " (" + (pods.size() == 1 ? "this pod" : "gang "
                    + gang.name() + ", " + pods.size() + " pods") + ") queued: " + VigilLabels.SCHEDULER_NAME
                    + " binds it when the scheduler places it");
            LOG.atInfo().addKeyValue("job", job).addKeyValue("gang", gang.name())
                    .addKeyValue("pods", pods.stream().map(PodWorker.PodRef::name).collect(Collectors.joining(",")))
                    .log("kubernetes_claimed");
        }
    }

    private void refuse(UnclaimedPod pod, String message) {
        if (message.equals(pod.refusal()) || !refusalsSaid.add(pod.uid() + " " + message)) {
            return;
        }
        worker.refuse(PodWorker.PodRef.of(pod), message.startsWith("resources") ? "InvalidResources"
                : "InvalidAnnotations", message);
        LOG.atWarn().addKeyValue("pod", pod.namespace() + "/" + pod.name()).addKeyValue("reason", message)
                .log("kubernetes_pod_refused");
    }

    /** The claimed pods of jobs that ended while queued (cancelled) are told so and deleted. */
    private void releaseEnded(Listener listener) {
        for (Map.Entry<String, List<PodWorker.PodRef>> entry : List.copyOf(claimedPods.entrySet())) {
            String job = entry.getKey();
            if (listener.unfinished(job)) {
                continue;
            }
            claimedPods.remove(job);
            claimedJobs.remove(job);
            worker.release(job, entry.getValue(), "Vigil job " + job + " ended before it was placed (cancelled): "
                    + "its pods are deleted; pods made again become a new job");
            LOG.atInfo().addKeyValue("job", job).addKeyValue("pods", entry.getValue().stream()
                    .map(p -> p.namespace() + "/" + p.name()).collect(Collectors.joining(",")))
                    .log("kubernetes_claimed_released");
        }
    }

    /** A new leader finds the claimed pods of jobs still queued by their labels. */
    private void findClaimed(PodWorker.View view) {
        Set<String> launched = new HashSet<>(launches.values().stream().map(l -> l.job).toList());
        Map<String, List<PodWorker.PodRef>> found = new HashMap<>();
        view.pods().stream().filter(p -> p.claimed() && p.node() == null && !p.deleting()
                        && !launched.contains(p.job()) && !claimedPods.containsKey(p.job()))
                .sorted(Comparator.comparing(VigilPod::name))
                .forEach(p -> found.computeIfAbsent(p.job(), j -> new ArrayList<>()).add(PodWorker.PodRef.of(p)));
        claimedPods.putAll(found);
        claimedJobs.addAll(found.keySet());
    }

    /**
     * Records how Kubernetes sees each node Vigil knows: NotReady, a cordon or taint by someone else
     * (the leader then cordons the node in Vigil, and lifts that when Kubernetes takes work there
     * again), and other schedulers' GPU pods, whose GPUs the scheduler leaves alone.
     */
    private void observeNodes(PodWorker.View view) {
        Map<String, List<GpuPod>> foreign = new HashMap<>();
        view.foreign().forEach(p -> foreign.computeIfAbsent(p.node(), n -> new ArrayList<>()).add(p));
        for (KubeNode kubeNode : view.nodes()) {
            NodeRecord node = nodes.node(kubeNode.name()).orElse(null);
            if (node == null) {
                continue;
            }
            List<Allocation> vigils = node.allocations().stream().filter(KubernetesBackend::ours).toList();
            ExecutionNode now = NodeViews.of(kubeNode, foreign.getOrDefault(kubeNode.name(), List.of()), vigils,
                    node.inventory());
            ExecutionNode before = node.execution();
            boolean imposed = node.cordoned() && before != null && before.imposedCordon();
            boolean cordonMoves = !now.available() && !now.byVigil() && !now.unreachable() && !node.cordoned()
                    || imposed && (now.available() || now.byVigil());
            if (cordonMoves || !now.sameAs(before)) {
                observations.observed(node.name(), now, view.asked());
            }
        }
    }

    /**
     * Deletes Vigil's pods and gangs' Services that no launch claims: a previous leader's, of jobs
     * that ended or moved since.
     */
    private void deleteOrphans(PodWorker.View view) {
        Set<String> jobs = new HashSet<>(launches.values().stream().map(l -> l.job).toList());
        for (GangService service : view.services()) {
            if (!jobs.contains(service.job())) {
                // A gang's Service whose job ended while no leader watched, or that is requeued: made again at its launch.
                worker.deleteRendezvous(service.namespace(), service.name());
                LOG.atInfo().addKeyValue("service", service.namespace() + "/" + service.name())
                        .addKeyValue("job", service.job()).log("kubernetes_orphan_service_deleted");
            }
        }
        Set<String> claimed = new HashSet<>();
        launches.values().stream().filter(l -> l.pods != null).forEach(l -> claimed.addAll(l.pods));
        for (VigilPod pod : view.pods()) {
            boolean adopting = launches.values().stream().anyMatch(l -> l.pods == null && l.job.equals(pod.job()))
                    || claimedPods.containsKey(pod.job());
            if (!claimed.contains(pod.name()) && !adopting && !pod.deleting() && pod.phase().finished()
                    && !settings.finishedTtl().isZero()) {
                // A finished job's pod a previous leader kept: kept again for the TTL, from now.
                finishedPods.putIfAbsent(pod.namespace() + "/" + pod.name(),
                        clock.instant().plus(settings.finishedTtl()));
                continue;
            }
            if (!claimed.contains(pod.name()) && !adopting && !pod.deleting()
                    && !worker.evicting(pod.namespace(), pod.name()) && !kept(pod.namespace(), pod.name())) {
                worker.delete("orphan", pod.namespace(), List.of(pod.name()));
                LOG.atWarn().addKeyValue("pod", pod.namespace() + "/" + pod.name()).addKeyValue("job", pod.job())
                        .addKeyValue("phase", pod.phase()).log("kubernetes_orphan_deleted");
            }
        }
    }

    private void follow(Launch launch, PodWorker.View view, List<VigilPod> jobPods, Set<String> nodeNames,
                        Instant now, Listener listener) {
        if (launch.pods == null) {
            if (view.asked().isBefore(launch.lookFrom)) {
                return;
            }
            if (!adopted(launch, jobPods)) {
                lose(launch, "its pods are gone: deleted while no leader watched", now, listener);
                return;
            }
        } else if (launch.bound == null || view.asked().isBefore(launch.bound)) {
            return;   // being created and bound, or this listing is older than the binding
        }
        List<VigilPod> pods = new ArrayList<>();
        for (String name : launch.pods) {
            VigilPod pod = jobPods.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
            if (pod == null) {
                lose(launch, "pod " + launch.namespace + "/" + name + " was deleted outside Vigil", now, listener);
                return;
            }
            pods.add(pod);
        }
        for (VigilPod pod : pods) {
            String where = "pod " + pod.namespace() + "/" + pod.name();
            if (pod.node() != null && !nodeNames.contains(pod.node())) {
                lose(launch, where + ": its node " + pod.node() + " left the cluster", now, listener);
                return;
            }
            if (pod.phase() == PodPhase.FAILED) {
                String reason = pod.reason() == null ? "failed" : pod.reason();
                if (NOT_THE_JOBS_FAULT.contains(reason.split(":", 2)[0])) {
                    lose(launch, where + " ended by Kubernetes: " + reason, now, listener);
                } else {
                    end(launch, false, where + " failed: " + reason
                            + (pod.exitCode() == null ? "" : ", exit " + pod.exitCode()), now, listener);
                }
                return;
            }
        }
        boolean allUp = pods.stream().allMatch(p -> p.phase() == PodPhase.RUNNING || p.phase() == PodPhase.SUCCEEDED);
        if (allUp) {
            started(launch, now, listener);
        } else if (!launch.running && !view.asked().isBefore(launch.bound.plus(settings.startDeadline()))) {
            VigilPod waiting = pods.stream().filter(p -> p.phase() != PodPhase.RUNNING
                    && p.phase() != PodPhase.SUCCEEDED).findFirst().orElseThrow();
            lose(launch, "pod " + waiting.namespace() + "/" + waiting.name() + " did not start within "
                    + "kubernetes.startDeadline " + HumanDurations.format(settings.startDeadline()) + ": "
                    + waiting.phase().name().toLowerCase(Locale.ROOT)
                    + (waiting.reason() == null ? "" : " (" + waiting.reason() + ")"), now, listener);
            return;
        }
        if (pods.stream().allMatch(p -> p.phase() == PodPhase.SUCCEEDED)) {
            end(launch, true, "its " + pods.size() + (pods.size() == 1 ? " pod" : " pods") + " succeeded", now,
                    listener);
        }
    }

    /** A taken-over launch finds its pods by their labels: the job, its attempt and, for a replica, its number. */
    private boolean adopted(Launch launch, List<VigilPod> jobPods) {
        Integer replica = launch.placements.get(0).replica();
        List<String> found = new ArrayList<>();
        for (Placement placement : launch.placements) {
            jobPods.stream().filter(p -> (p.claimed() || p.attempt() == launch.attempt) && !p.deleting()
                            && Objects.equals(p.replica(), replica) && placement.node().equals(p.node())
                            && !found.contains(p.name()))
                    .findFirst().ifPresent(p -> found.add(p.name()));
        }
        if (found.size() != launch.placements.size()) {
            return false;
        }
        launch.pods = List.copyOf(found);
        launch.uids = found.stream().map(name -> jobPods.stream().filter(p -> p.name().equals(name)).findFirst()
                .map(VigilPod::uid).orElse(null)).toList();
        launch.bound = launch.lookFrom;
        launch.claimed = jobPods.stream().anyMatch(p -> p.claimed() && found.contains(p.name()));
        launch.namespace = jobPods.stream().filter(p -> p.name().equals(found.get(0))).findFirst()
                .map(VigilPod::namespace).orElse(settings.namespace());
        return true;
    }

    /** Every pod of the launch runs: its allocations go onto its nodes, and once every launch of the job runs, so does the job. */
    private void started(Launch launch, Instant now, Listener listener) {
        if (launch.running) {
            return;
        }
        launch.running = true;
        for (int i = 0; i < launch.placements.size(); i++) {
            allocate(launch, i, launch.placements.get(i));
        }
        if (launches.values().stream().filter(l -> l.job.equals(launch.job)).allMatch(l -> l.running)) {
            listener.running(launch.job, now);
        }
    }

    /**
     * A running launch's pods whose processes the agents see on other GPUs than the placement's
     * (the device plugin picked them): the scheduler's record follows, as it does for Slurm, and so
     * do the allocations on the node (else the agent would judge the pod's processes overreach).
     */
    private void followGpus(Launch launch, Listener listener) {
        if (!launch.running || launch.uids == null) {
            return;
        }
        List<Placement> actual = new ArrayList<>(launch.placements);
        for (int i = 0; i < actual.size(); i++) {
            Placement placement = actual.get(i);
            String pod = launch.namespace + "/" + launch.pods.get(i);
            Placement moved = DevicePluginGpus.moved(placement, launch.uids.get(i),
                    nodes.node(placement.node()).orElse(null), why -> {
                        if (launch.ignoredSlices.add(pod + ": " + why)) {
                            LOG.atWarn().addKeyValue("job", launch.job).addKeyValue("pod", pod)
                                    .addKeyValue("node", placement.node()).addKeyValue("why", why)
                                    .log("kubernetes_slice_not_followed");
                        }
                    });
            if (moved == null) {
                continue;
            }
            boolean followed = listener.rebind(launch.job, moved);
            LOG.atInfo().addKeyValue("job", launch.job).addKeyValue("pod", pod).addKeyValue("node", placement.node())
                    .addKeyValue("chosen", placement.gpus()).addKeyValue("device_plugin", moved.gpus())
                    .addKeyValue("mig_instance", moved.migInstances())
                    .addKeyValue("followed", followed).log("kubernetes_gpus_rebound");
            actual.set(i, moved);
            allocate(launch, i, moved);
        }
        launch.placements = List.copyOf(actual);
    }

    /** Pod {@code i} of the launch runs on {@code placement}: its allocation replaces the replica's on the node. */
    private void allocate(Launch launch, int i, Placement placement) {
        Allocation allocation = Allocation.of(launch.job, launch.spec, placement)
                .runAs(RUNS_AS + launch.namespace + "/" + launch.pods.get(i));
        nodes.change(placement.node(), current -> {
            List<Allocation> next = new ArrayList<>(current.stream()
                    .filter(a -> !(a.job().equals(launch.job) && Objects.equals(a.replica(), placement.replica())))
                    .toList());
            next.add(allocation);
            return next;
        });
    }

    /** The job ended: every launch of it goes (a service's other replicas too), and the scheduler is told. */
    private void end(Launch ended, boolean succeeded, String reason, Instant now, Listener listener) {
        keepFinished(ended.job);
        withdraw(ended);
        if (ended.spec.kind() == JobKind.TRAINING && !ended.claimed) {
            worker.deleteRendezvous(ended.namespace, ended.job);
        }
        for (Launch launch : List.copyOf(launches.values())) {
            if (launch.job.equals(ended.job)) {
                withdraw(launch);
            }
        }
        LOG.atInfo().addKeyValue("job", ended.job).addKeyValue("succeeded", succeeded)
                .addKeyValue("reason", reason).log("kubernetes_job_ended");
        listener.finished(ended.job, succeeded, reason, now);
    }

    /**
     * A finished job's pods that finished (Succeeded or Failed) stay for {@code kubernetes.finishedTtl}, for
     * {@code kubectl logs}; those still running go at once.
     */
    private void keepFinished(String job) {
        if (seen == null || settings.finishedTtl().isZero()) {
            return;
        }
        Instant until = clock.instant().plus(settings.finishedTtl());
        seen.pods().stream().filter(p -> job.equals(p.job()) && p.phase().finished() && !p.deleting())
                .forEach(p -> finishedPods.putIfAbsent(p.namespace() + "/" + p.name(), until));
    }

    private boolean kept(String namespace, String pod) {
        return finishedPods.containsKey(namespace + "/" + pod);
    }

    /** Deletes the finished pods whose time to be kept is up; forgets those gone meanwhile. */
    private void deleteExpired(PodWorker.View view) {
        Instant now = clock.instant();
        Set<String> listed = new HashSet<>(view.pods().stream().map(p -> p.namespace() + "/" + p.name()).toList());
        finishedPods.entrySet().removeIf(kept -> {
            if (!listed.contains(kept.getKey())) {
                return !view.asked().isBefore(kept.getValue().minus(settings.finishedTtl()));
            }
            if (now.isBefore(kept.getValue())) {
                return false;
            }
            String[] where = kept.getKey().split("/", 2);
            worker.delete("finished", where[0], List.of(where[1]));
            LOG.atInfo().addKeyValue("pod", kept.getKey())
                    .addKeyValue("ttl", HumanDurations.format(settings.finishedTtl()))
                    .log("kubernetes_finished_pod_deleted");
            return true;
        });
    }

    /** The launch cannot go on where it was placed: its pods go, and the scheduler requeues the gang or replaces the replica. */
    private void lose(Launch launch, String reason, Instant now, Listener listener) {
        if (launch.claimed) {
            end(launch, false, reason + " (its pods were made outside Vigil, which does not make them again)",
                    now, listener);
            return;
        }
        withdraw(launch);
        LOG.atWarn().addKeyValue("job", launch.job).addKeyValue("key", launch.key)
                .addKeyValue("nodes", String.join(",", launch.nodeNames())).addKeyValue("reason", reason)
                .log("kubernetes_requeue");
        listener.lost(launch.job, launch.nodeNames(), reason, now);
    }

    @Override
    public void adopt(List<JobRecord> holding, Instant now) {
        forgetClaims();
        launches.clear();
        unlaunchable.clear();
        seen = null;
        nodes.dropUnclaimed(KubernetesBackend::ours, new HashSet<>(holding.stream().map(JobRecord::id).toList()));
        for (JobRecord job : holding) {
            for (List<Placement> part : ExecutionBackend.launches(job)) {
                Launch launch = new Launch(job.id(), job.spec(), job.attempts(), part);
                launch.lookFrom = now;
                launch.running = job.state() == JobState.RUNNING;
                launches.put(launch.key, launch);
            }
        }
        LOG.atInfo().addKeyValue("jobs", holding.size()).addKeyValue("launches", launches.size())
                .log("kubernetes_adopted");
    }

    private void forgetClaims() {
        finishedPods.clear();
        claimedPods.clear();
        claimedJobs.clear();
        claiming.clear();
        refusalsSaid.clear();
    }

    private static boolean ours(Allocation allocation) {
        return allocation.backendJob() != null && allocation.backendJob().startsWith(RUNS_AS);
    }

    @Override
    public void stopLeading() {
        forgetClaims();
        worker.forget();
        launches.clear();
        unlaunchable.clear();
        seen = null;
    }

    /** Stops its thread; the connection is the node sync's to close. */
    @Override
    public void close() {
        if (ownThread != null) {
            ownThread.shutdownNow();
        }
    }
}
