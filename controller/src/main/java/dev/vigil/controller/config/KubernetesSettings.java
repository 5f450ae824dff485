package dev.vigil.controller.config;

import dev.vigil.api.binding.InvalidValueException;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code kubernetes:} section of the controller's config: which cluster Vigil schedules GPU
 * pods on ({@code docs/kubernetes.md}). Absent, the controller has no Kubernetes backend.
 *
 * @param kubeconfig a kubeconfig file (its current context); or
 * @param inCluster  true: the service account of the pod the controller runs in
 * @param namespace  where Vigil creates its jobs' pods (default {@code vigil-jobs})
 * @param poll       how often the leader lists Vigil's pods and the nodes (default 2s)
 * @param evictionDeadline how long a drain asks the Eviction API for a pod a PodDisruptionBudget protects before
 *                   it deletes the pod (default 5m)
 * @param finishedTtl how long a finished job's pods are kept for {@code kubectl logs} before Vigil deletes them
 *                   (default 1h; 0s: at once)
 * @param startDeadline how long a bound pod may take to run (image pull, volumes) before its gang is requeued
 *                   (default 10m)
 */
public record KubernetesSettings(Path kubeconfig, Boolean inCluster, String namespace, Duration poll,
                                 Duration evictionDeadline, Duration finishedTtl, Duration startDeadline) {
    public KubernetesSettings {
        inCluster = inCluster != null && inCluster;
        InvalidValueException.require(kubeconfig != null ^ inCluster, "kubeconfig", kubeconfig,
                "a kubeconfig file, e.g. /etc/vigil/kubeconfig, or no kubeconfig and inCluster: true (not both)");
        namespace = namespace == null ? "vigil-jobs" : namespace;
        InvalidValueException.require(namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"), "namespace", namespace,
                "a namespace name: lower-case letters, digits and '-', up to 63");
        poll = poll == null ? Duration.ofSeconds(2) : poll;
        InvalidValueException.require(poll.compareTo(Duration.ofMillis(100)) >= 0
                && poll.compareTo(Duration.ofMinutes(1)) <= 0, "poll", poll, "from 100ms to 1m");
        evictionDeadline = evictionDeadline == null ? Duration.ofMinutes(5) : evictionDeadline;
        InvalidValueException.require(within(evictionDeadline, Duration.ofSeconds(1), Duration.ofHours(24)),
                "evictionDeadline", evictionDeadline, "from 1s to 24h");
        finishedTtl = finishedTtl == null ? Duration.ofHours(1) : finishedTtl;
        InvalidValueException.require(within(finishedTtl, Duration.ZERO, Duration.ofDays(30)), "finishedTtl",
                finishedTtl, "from 0s (delete at once) to 30d");
        startDeadline = startDeadline == null ? Duration.ofMinutes(10) : startDeadline;
        InvalidValueException.require(within(startDeadline, Duration.ofSeconds(1), Duration.ofHours(24)),
                "startDeadline", startDeadline, "from 1s to 24h");
    }

    /** The defaults but for where to connect, the namespace and the poll. */
    public KubernetesSettings(Path kubeconfig, Boolean inCluster, String namespace, Duration poll) {
        this(kubeconfig, inCluster, namespace, poll, null, null, null);
    }

    private static boolean within(Duration value, Duration least, Duration most) {
        return value.compareTo(least) >= 0 && value.compareTo(most) <= 0;
    }
}
