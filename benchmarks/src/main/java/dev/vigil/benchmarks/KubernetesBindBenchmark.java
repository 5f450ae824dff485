package dev.vigil.benchmarks;

import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.jobs.Allocation;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.controller.config.KubernetesSettings;
import dev.vigil.controller.execution.DesiredAllocations;
import dev.vigil.controller.kubernetes.KubernetesBackend;
import dev.vigil.controller.kubernetes.KubernetesNodeSync;
import dev.vigil.k8s.Kubernetes;
import dev.vigil.k8s.PodRequest;
import dev.vigil.k8s.VigilPod;
import dev.vigil.scheduler.Decision;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;

/**
 * Pods bound per second by the Kubernetes bridge and backend, against fabric8's mock API server
 * (CRUD for the pods, an expectation per binding, which the mock does not implement). Three runs
 * of the same pods: (1) the bridge alone, create then bind each pod, one at a time as the
 * backend's worker does; (2) the same two requests per pod sent with the JDK's HTTP client with
 * bodies made once: what the mock and HTTP cost, so (1) minus (2) is the bridge's own cost
 * (fabric8's request building, JSON both ways, Vigil's mapping); (3) the backend as the controller
 * runs it (kubeconfig, its worker thread): gangs of 10 started, until the mock has received the
 * last binding. Numbers include the mock's own work on the same CPUs.
 * Usage: {@code scripts/bench-kubernetes.sh [--pods 500]}
 */
public final class KubernetesBindBenchmark {
    private static final String NS = "vigil-jobs";
    /** The mock logs every request it answers (java.util.logging, INFO): kept off the measured path. */
    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");
    private static final int GANG = 10;

    private KubernetesBindBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        MOCK_LOG.setLevel(Level.WARNING);
        int pods = Integer.parseInt(args.length == 2 && args[0].equals("--pods") ? args[1] : "500");
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
                new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        server.init();
        try (Kubernetes kubernetes = new Kubernetes(server.createClient())) {
            System.out.printf("%d pods per run, fabric8 mock API server at %s%n", pods, server.url("/"));
            bridge(server, kubernetes, "warm", 50, null);
            raw(server, kubernetes, "warm-raw", 50, null);
            double bridge = bridge(server, kubernetes, "b", pods, "bridge: create + bind, one pod at a time");
            double raw = raw(server, kubernetes, "r", pods, "same requests, JDK HttpClient, bodies made once");
            System.out.printf("%-52s %8.3f ms per pod%n", "bridge's own cost (1 minus 2)", bridge - raw);
            backend(server, pods);
        } finally {
            server.destroy();
        }
    }

    private static PodRequest pod(String name, String job) {
        return new PodRequest(NS, name, job, 1, job, GANG, null, "research", null, "pytorch:2.4",
                List.of("torchrun", "train.py"), Map.of("EPOCHS", "3"), 8, null, false);
    }

    /** Expects a binding of each pod, answered 201; counts them down. */
    private static void expectBindings(KubernetesMockServer server, List<String> names, CountDownLatch bound) {
        for (String name : names) {
            server.expect().post().withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "/binding")
                    .andReply(201, request -> {
                        bound.countDown();
                        return Map.of("kind", "Status", "apiVersion", "v1", "status", "Success");
                    }).once();
        }
    }

    private static List<String> names(String prefix, int pods) {
        return IntStream.range(0, pods).mapToObj(i -> prefix + "-a1-" + i).toList();
    }

    private static double bridge(KubernetesMockServer server, Kubernetes kubernetes, String prefix, int pods,
                                 String label) {
        List<String> names = names(prefix, pods);
        expectBindings(server, names, new CountDownLatch(pods));
        long start = System.nanoTime();
        for (int i = 0; i < pods; i++) {
            VigilPod created = kubernetes.create(pod(names.get(i), prefix));
            kubernetes.bind(NS, created.name(), created.uid(), "n" + i % 100);
        }
        return report(label, pods, System.nanoTime() - start);
    }

    private static double raw(KubernetesMockServer server, Kubernetes kubernetes, String prefix, int pods,
                              String label) throws Exception {
        List<String> names = names(prefix, pods);
        expectBindings(server, names, new CountDownLatch(pods));
        // One pod as the bridge writes it, renamed per pod by text: no JSON work in the loop.
        VigilPod sample = kubernetes.create(pod(prefix + "-sample", prefix));
        String json = Serialization.asJson(server.createClient().pods().inNamespace(NS).withName(sample.name()).get()
                .edit().editMetadata().withUid(null).withResourceVersion(null).withCreationTimestamp(null)
                .withGeneration(null).endMetadata().build());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = server.url("/api/v1/namespaces/" + NS + "/pods");
        long start = System.nanoTime();
        for (int i = 0; i < pods; i++) {
            String name = names.get(i);
            send(http, base, json.replace(sample.name(), name));
            send(http, base + "/" + name + "/binding", "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{"
                    + "\"name\":\"" + name + "\",\"namespace\":\"" + NS + "\",\"uid\":\"u\"},\"target\":{"
                    + "\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"n" + i % 100 + "\"}}");
        }
        return report(label, pods, System.nanoTime() - start);
    }

    private static void send(HttpClient http, String url, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(url + ": " + response.statusCode() + " " + response.body());
        }
    }

    private static void backend(KubernetesMockServer server, int pods) throws Exception {
        int gangs = pods / GANG;
        CountDownLatch bound = new CountDownLatch(gangs * GANG);
        for (int g = 0; g < gangs; g++) {
            expectBindings(server, names("j-" + g, GANG), bound);
        }
        Path kubeconfig = Files.createTempFile("vigil-bench-kubeconfig", ".yaml");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: bench, user: {token: bench}}]
                contexts: [{name: bench, context: {cluster: mock, user: bench}}]
                current-context: bench
                """.formatted(server.url("/").replaceAll("/$", "")));
        KubernetesSettings settings = new KubernetesSettings(kubeconfig, null, NS, Duration.ofMillis(100));
        JobSpec spec = new JobSpec("bench", JobKind.TRAINING, "research", null, null, null, null, GANG, 8, null, null,
                null, null, null, null, null, null, "kubernetes", List.of("torchrun", "train.py"), "pytorch:2.4", null);
        try (KubernetesNodeSync sync = new KubernetesNodeSync(settings);
             KubernetesBackend backend = new KubernetesBackend(settings, NO_NODES, (node, view, asked) -> { }, sync,
                     Clock.systemUTC())) {
            backend.adopt(List.of(), Instant.now());
            long start = System.nanoTime();
            for (int g = 0; g < gangs; g++) {
                List<Placement> placements = IntStream.range(0, GANG)
                        .mapToObj(i -> new Placement("n" + i, List.of(0, 1, 2, 3, 4, 5, 6, 7), List.of(), List.of(),
                                null)).toList();
                backend.start(new Decision.Start("j-" + g, spec, placements, 1));
            }
            long submitted = System.nanoTime() - start;
            if (!bound.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException(bound.getCount() + " pods not bound within 5 minutes");
            }
            long all = System.nanoTime() - start;
            System.out.printf("%-52s %8.3f ms for %d gangs of %d (the scheduler loop's share)%n",
                    "backend: start() calls", submitted / 1e6, gangs, GANG);
            report("backend: first start() to last pod bound", gangs * GANG, all);
        } finally {
            Files.deleteIfExists(kubeconfig);
        }
    }

    private static double report(String label, int pods, long nanos) {
        double perPod = nanos / 1e6 / pods;
        if (label != null) {
            System.out.printf("%-52s %8.3f ms per pod, %7.0f pods bound/s, %6.0f ms in all%n", label, perPod,
                    pods / (nanos / 1e9), nanos / 1e6);
        }
        return perPod;
    }

    /** The backend writes allocations only once pods run, which the benchmark does not wait for. */
    private static final DesiredAllocations NO_NODES = new DesiredAllocations() {
        @Override
        public Optional<NodeRecord> change(String node, UnaryOperator<List<Allocation>> change) {
            return Optional.empty();
        }

        @Override
        public Optional<NodeRecord> node(String node) {
            return Optional.empty();
        }

        @Override
        public List<NodeRecord> allocated() {
            return List.of();
        }
    };
}
