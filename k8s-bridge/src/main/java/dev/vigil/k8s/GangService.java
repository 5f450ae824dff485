package dev.vigil.k8s;

/**
 * The headless Service that gives a gang's pods stable names: pod N of gang {@code g} is
 * {@code g-N.g} in its namespace ({@link Kubernetes#rendezvous}).
 *
 * @param namespace where it lives
 * @param name      its name, the gang's
 * @param job       the Vigil job it serves ({@value VigilLabels#JOB} label)
 */
public record GangService(String namespace, String name, String job) {
}
