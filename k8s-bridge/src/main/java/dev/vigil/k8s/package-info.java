/**
 * The Kubernetes bridge: what Vigil asks of a Kubernetes API server, over fabric8's client with
 * the JDK's HTTP client. {@link dev.vigil.k8s.Kubernetes} is the whole surface: pods that Vigil
 * schedules ({@code schedulerName: vigil}) with whole GPUs or MIG slices, binding them to nodes
 * through the {@code pods/binding} subresource, eviction through the Eviction API, cordon and
 * taint, and listings and watches of nodes and pods. The controller adapts it; nothing here
 * knows the controller.
 */
package dev.vigil.k8s;
