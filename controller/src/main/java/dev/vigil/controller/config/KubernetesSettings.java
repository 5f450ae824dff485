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
 */
public record KubernetesSettings(Path kubeconfig, Boolean inCluster, String namespace, Duration poll) {
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
    }
}
