package dev.vigil.scheduler;

import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Topology;

import java.time.Duration;
import java.util.List;

/** Job specs for tests, built up field by field. */
final class Jobs {
    private String tenant;
    private String priorityClass;
    private boolean preemptible;
    private Integer gpus;
    private Integer nodes;
    private Integer gpusPerNode;
    private List<String> models;
    private String migProfile;
    private Integer replicas;
    private Boolean spread;
    private Topology topology;
    private Duration runtimeLimit;
    private String pool;
    private String backend;
    private Integer maxRetries;
    private final JobKind kind;

    private Jobs(JobKind kind) {
        this.kind = kind;
    }

    static Jobs training(int gpus) {
        Jobs jobs = new Jobs(JobKind.TRAINING);
        jobs.gpus = gpus;
        return jobs;
    }

    static Jobs gang(int nodes, int perNode) {
        Jobs jobs = new Jobs(JobKind.TRAINING);
        jobs.nodes = nodes;
        jobs.gpusPerNode = perNode;
        return jobs;
    }

    static Jobs inference(int replicas, int perReplica) {
        Jobs jobs = new Jobs(JobKind.INFERENCE);
        jobs.replicas = replicas;
        jobs.gpusPerNode = perReplica;
        return jobs;
    }

    static Jobs slices(int replicas, String profile) {
        Jobs jobs = new Jobs(JobKind.INFERENCE);
        jobs.replicas = replicas;
        jobs.migProfile = profile;
        return jobs;
    }

    Jobs tenant(String value) {
        tenant = value;
        return this;
    }

    Jobs priority(String value) {
        priorityClass = value;
        return this;
    }

    Jobs preemptible() {
        preemptible = true;
        return this;
    }

    Jobs models(String... value) {
        models = List.of(value);
        return this;
    }

    Jobs packed() {
        spread = false;
        return this;
    }

    Jobs topology(Topology value) {
        topology = value;
        return this;
    }

    Jobs limit(Duration value) {
        runtimeLimit = value;
        return this;
    }

    Jobs pool(String value) {
        pool = value;
        return this;
    }

    Jobs backend(String value) {
        backend = value;
        return this;
    }

    Jobs retries(int value) {
        maxRetries = value;
        return this;
    }

    JobSpec spec() {
        return new JobSpec(null, kind, tenant, null, priorityClass, preemptible, gpus, nodes, gpusPerNode, models,
                migProfile, replicas, spread, topology, runtimeLimit, null, pool, backend, null, null, null, null,
                maxRetries, null);
    }
}
