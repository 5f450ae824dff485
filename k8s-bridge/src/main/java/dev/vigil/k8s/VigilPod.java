package dev.vigil.k8s;

/**
 * A pod Vigil placed, as the API server shows it.
 *
 * @param namespace where it lives
 * @param name      its name
 * @param uid       its uid (a binding names it, so it binds this pod and not a namesake made since)
 * @param job       its Vigil job
 * @param attempt   which start of the job, or 0 when the label is missing
 * @param replica   the inference replica, or null
 * @param node      the node it is bound to, or null
 * @param phase     its phase
 * @param reason    why, in Kubernetes' words: the pod's reason ({@code UnexpectedAdmissionError},
 *                  {@code Evicted}), else a container's ({@code OOMKilled}, {@code ImagePullBackOff}); or null
 * @param exitCode  the first terminated container's exit code, or null
 * @param deleting  the pod is being deleted
 * @param claimed   someone else made it and a Vigil job claimed it ({@value VigilLabels#CLAIMED}): Vigil binds
 *                  it, never makes it again
 */
public record VigilPod(String namespace, String name, String uid, String job, int attempt, Integer replica,
                       String node, PodPhase phase, String reason, Integer exitCode, boolean deleting,
                       boolean claimed) {
}
