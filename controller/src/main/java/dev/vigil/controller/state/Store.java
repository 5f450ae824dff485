package dev.vigil.controller.state;

import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeSummary;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSummary;
import dev.vigil.api.runbooks.RunRecord;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.configuration.CacheConfiguration;

import javax.cache.expiry.CreatedExpiryPolicy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The durable cluster state in Ignite caches: nodes, jobs, the event log, the audit log and tokens.
 *
 * <p>Every cache is REPLICATED (each member holds all of it, so reads are local) with FULL_SYNC
 * writes (a write returns once every member has it: the default PRIMARY_SYNC gave stale reads on
 * another member in about 40 % of reads). Values are JSON: Ignite's marshaller cannot write Java
 * records, and JSON keeps stored state readable across versions of these classes. Only the
 * leader's event loop writes, but for the nodes' vital signs, which the member that took a report
 * writes; any member reads.
 */
public final class Store {
    /** Events and audit entries kept; older ones are dropped by the leader. */
    public static final long LOG_RETENTION = 100_000;
    /** Finished jobs kept for {@code vigil jobs} and {@code vigil job}; older ones are dropped by the leader. */
    public static final int FINISHED_JOBS_KEPT = 10_000;
    /** Job ids in submission order: by their number, whatever its width. */
    public static final Comparator<String> ID_ORDER = Comparator.comparingInt(String::length)
            .thenComparing(Comparator.naturalOrder());

    /** The data region of what is not kept across a restart of the whole cluster (vital signs). */
    public static final String VOLATILE_REGION = "vigil-volatile";
    /** How long what a write request came to is kept for its retries: longer than any client retries. */
    public static final java.time.Duration APPLIED_KEPT = java.time.Duration.ofMinutes(15);

    /** Cluster ids are six base-36 digits. */
    private static final long CLUSTER_IDS = 36L * 36 * 36 * 36 * 36 * 36;
    private static final String EVENT_SEQ = "event_seq";
    private static final String AUDIT_SEQ = "audit_seq";
    private static final String JOB_SEQ = "job_seq";
    private static final String RUN_SEQ = "run_seq";
    private static final String BREAKER = "breaker";
    private static final String FAIR_SHARE = "fair-share";
    /** Runbook runs kept once ended (with every step), newest first. */
    public static final int ENDED_RUNS_KEPT = 10_000;

    private final IgniteCache<String, String> nodes;
    /** Each node's summary beside it, so that listing a thousand nodes reads a little JSON, not their inventories. */
    private final IgniteCache<String, String> summaries;
    /** Each node's {@link NodeFacts}: what a member needs to answer a report without the leader. */
    private final IgniteCache<String, String> facts;
    /** Each node's {@link NodeVitals}, written by the member that took the report, not by the leader. */
    private final IgniteCache<String, String> vitals;
    /**
     * The leader reads a node back on every change it makes (the Slurm backend's allocation changes
     * alone do for each job): what it wrote is remembered, not parsed again from its JSON.
     */
    private final Memo<NodeRecord> nodesRead = new Memo<>(NodeRecord.class);
    private final Memo<NodeFacts> factsRead = new Memo<>(NodeFacts.class);
    private final Memo<NodeVitals> vitalsRead = new Memo<>(NodeVitals.class);
    /** What each write request came to, by its id, for a while: a retry of it is answered, not applied again. */
    private final IgniteCache<String, String> applied;
    private final IgniteCache<Long, String> events;
    private final IgniteCache<Long, String> audit;
    private final IgniteCache<String, String> tokens;
    private final IgniteCache<String, String> jobs;
    /** Each job's summary beside it, so that listing reads a little JSON per job, not its history. */
    private final IgniteCache<String, String> jobSummaries;
    private final IgniteCache<String, String> runs;
    /** Leader-wide state under one key each: the runbooks' circuit breaker, the scheduler's fair-share usage. */
    private final IgniteCache<String, String> automation;
    private final Counters counters;
    private final String clusterId;
    /** Throws when a write of the cluster state comes from anywhere but the leader's event loop. */
    private volatile Runnable writerCheck = () -> { };

    public Store(Ignite ignite) {
        this.nodes = ignite.getOrCreateCache(cache("vigil_nodes"));
        this.summaries = ignite.getOrCreateCache(cache("vigil_node_summaries"));
        this.facts = ignite.getOrCreateCache(cache("vigil_node_facts"));
        // Vital signs change with every report and matter only as the latest: no write waits for the other members.
        this.vitals = ignite.getOrCreateCache(Store.<String>cache("vigil_vitals")
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_ASYNC).setDataRegionName(VOLATILE_REGION));
        this.applied = ignite.getOrCreateCache(Store.<String>cache("vigil_applied")
                .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new javax.cache.expiry.Duration(TimeUnit.MINUTES,
                        APPLIED_KEPT.toMinutes()))));
        this.events = ignite.getOrCreateCache(cache("vigil_events"));
        this.audit = ignite.getOrCreateCache(cache("vigil_audit"));
        this.tokens = ignite.getOrCreateCache(cache("vigil_tokens"));
        this.jobs = ignite.getOrCreateCache(cache("vigil_jobs"));
        this.jobSummaries = ignite.getOrCreateCache(cache("vigil_job_summaries"));
        this.runs = ignite.getOrCreateCache(cache("vigil_runs"));
        this.automation = ignite.getOrCreateCache(cache("vigil_automation"));
        this.counters = new Counters(ignite);
        // Made once, by whichever member creates it first, and kept with the rest of the state.
        long id = counters.getOrInit("cluster_id", ThreadLocalRandom.current().nextLong(CLUSTER_IDS / 36,
                CLUSTER_IDS));
        this.clusterId = Long.toString(id, 36);
    }

    /**
     * This cluster's id: six letters and digits made when its state was, e.g. {@code k3f9xq}. It
     * marks what Vigil leaves in other systems (its Slurm jobs' comments), so two Vigil clusters,
     * or one whose state was wiped, never take each other's for their own.
     */
    public String clusterId() {
        return clusterId;
    }

    /**
     * Every write of the cluster state (not the vital signs) runs {@code check} first, which throws
     * off the leader's event loop: a writer of its own fails at once, in tests and in production.
     */
    public void writtenOnlyAfter(Runnable check) {
        this.writerCheck = check;
    }

    /** The leader epoch: one more each time a member becomes leader; kept with the state, so it survives restarts. */
    public long leaderEpoch() {
        return counters.get(Counters.LEADER_EPOCH);
    }

    static <K> CacheConfiguration<K, String> cache(String name) {
        return new CacheConfiguration<K, String>(name)
                .setCacheMode(CacheMode.REPLICATED)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
    }

    /** A node as stored, with its latest vital signs. */
    public Optional<NodeRecord> node(String name) {
        return Optional.ofNullable(nodes.get(name)).map(json -> withVitals(nodesRead.read(name, json)));
    }

    /** Every node, by name, with its latest vital signs. */
    public List<NodeRecord> nodes() {
        Map<String, NodeVitals> latest = vitals();
        Map<String, NodeRecord> sorted = new TreeMap<>();
        nodes.forEach(entry -> sorted.put(entry.getKey(), withVitals(nodesRead.read(entry.getKey(), entry.getValue()),
                latest.get(entry.getKey()))));
        return new ArrayList<>(sorted.values());
    }

    /** Stores a node (the leader's write), its summary and its facts. */
    public void put(NodeRecord node) {
        writerCheck.run();
        String json = write(node);
        nodes.put(node.name(), json);
        nodesRead.remember(node.name(), json, node);
        summaries.put(node.name(), write(NodeSummary.of(node.with().lastReport(null).build())));
        facts.put(node.name(), write(NodeFacts.of(node)));
    }

    /**
     * Every node's summary as JSON, by name (sorted), each with its latest report time. The summaries
     * are stored without one (it changes with every report, which the leader does not see) and served
     * as stored, the time from the vital signs added: listing thousands of nodes parses none.
     */
    public SortedMap<String, String> nodeSummariesJson() {
        Map<String, NodeVitals> latest = vitals();
        SortedMap<String, String> all = new TreeMap<>();
        summaries.forEach(entry -> {
            NodeVitals vitals = latest.get(entry.getKey());
            String json = entry.getValue();
            all.put(entry.getKey(), vitals == null ? json : json.substring(0, json.lastIndexOf('}'))
                    + ",\"lastReport\":\"" + vitals.lastReport() + "\"}");
        });
        return all;
    }

    /** The facts a report is judged against, as the leader last stored them. */
    public Optional<NodeFacts> facts(String name) {
        return Optional.ofNullable(facts.get(name)).map(json -> factsRead.read(name, json));
    }

    /** Every node's facts, by name. */
    public Map<String, NodeFacts> facts() {
        Map<String, NodeFacts> all = new TreeMap<>();
        facts.forEach(entry -> all.put(entry.getKey(), factsRead.read(entry.getKey(), entry.getValue())));
        return all;
    }

    /** Keeps a node's vital signs: any member, for each report it takes. */
    public void put(String name, NodeVitals latest) {
        String json = write(latest);
        vitalsRead.remember(name, json, latest);
        vitals.put(name, json);
    }

    public Optional<NodeVitals> vitals(String name) {
        return Optional.ofNullable(vitals.get(name)).map(json -> vitalsRead.read(name, json));
    }

    /** Every node's vital signs, by name. */
    public Map<String, NodeVitals> vitals() {
        Map<String, NodeVitals> all = new HashMap<>();
        vitals.forEach(entry -> all.put(entry.getKey(), vitalsRead.read(entry.getKey(), entry.getValue())));
        return all;
    }

    private NodeRecord withVitals(NodeRecord node) {
        return withVitals(node, vitals(node.name()).orElse(null));
    }

    private static NodeRecord withVitals(NodeRecord node, NodeVitals latest) {
        if (latest == null || node.lastReport() != null && !latest.lastReport().isAfter(node.lastReport())) {
            return node;
        }
        return node.with().lastReport(latest.lastReport()).gpus(latest.gpus()).processes(latest.processes()).build();
    }

    /**
     * The last value read for each key, by its JSON: reads that find the JSON unchanged (or
     * written by this member) skip parsing it, which a report per node every two seconds would
     * otherwise cost.
     */
    private static final class Memo<T> {
        private record Parsed<T>(String json, T value) {
        }

        private final Class<T> type;
        private final Map<String, Parsed<T>> last = new ConcurrentHashMap<>();

        Memo(Class<T> type) {
            this.type = type;
        }

        T read(String key, String json) {
            Parsed<T> known = last.get(key);
            if (known != null && known.json().equals(json)) {
                return known.value();
            }
            T value = Store.read(json, type);
            last.put(key, new Parsed<>(json, value));
            return value;
        }

        void remember(String key, String json, T value) {
            last.put(key, new Parsed<>(json, value));
        }
    }

    /** What the write request {@code id} came to (an outcome as JSON), if it was applied lately. */
    public Optional<String> applied(String id) {
        return Optional.ofNullable(applied.get(id));
    }

    /** Keeps what the write request {@code id} came to, with the event that applied it. */
    public void applied(String id, String outcomeJson) {
        writerCheck.run();
        applied.put(id, outcomeJson);
    }

    /** Appends an event; its {@code seq} is replaced by the next one. */
    public ClusterEvent append(ClusterEvent event) {
        return appendAll(List.of(event)).get(0);
    }

    /**
     * Appends events in their order, numbered from one block of sequence numbers and written in one
     * call: what a scheduler cycle that moved many jobs writes (one write per event cost the leader a
     * fifth of its time in the Slurm jobs benchmark).
     */
    public List<ClusterEvent> appendAll(List<ClusterEvent> appended) {
        writerCheck.run();
        if (appended.isEmpty()) {
            return List.of();
        }
        long seq = counters.addAndGet(EVENT_SEQ, appended.size()) - appended.size();
        List<ClusterEvent> numbered = new ArrayList<>(appended.size());
        Map<Long, String> written = new TreeMap<>();
        for (ClusterEvent event : appended) {
            ClusterEvent next = new ClusterEvent(++seq, event.time(), event.node(), event.gpu(), event.kind(),
                    event.severity(), event.action(), event.message(), event.actor());
            numbered.add(next);
            written.put(next.seq(), write(next));
        }
        events.putAll(written);
        return numbered;
    }

    /**
     * A page of a log: the entries, and the sequence number it read up to, which is where the
     * next page starts even when a filter kept none of them.
     */
    public record Page<T>(List<T> items, long readTo) {
    }

    /** Events after {@code since}, oldest first, at most {@code limit}, optionally of one node. */
    public Page<ClusterEvent> events(long since, int limit, String node) {
        return page(events, counters.get(EVENT_SEQ), since, limit, json -> read(json, ClusterEvent.class),
                e -> node == null || node.equals(e.node()), ClusterEvent::seq);
    }

    public AuditEntry audit(AuditEntry entry) {
        writerCheck.run();
        long seq = counters.incrementAndGet(AUDIT_SEQ);
        AuditEntry numbered = new AuditEntry(seq, entry.time(), entry.actor(), entry.role(), entry.remote(),
                entry.action(), entry.detail(), entry.status(), entry.result());
        audit.put(seq, write(numbered));
        return numbered;
    }

    public Page<AuditEntry> audit(long since, int limit) {
        return page(audit, counters.get(AUDIT_SEQ), since, limit, json -> read(json, AuditEntry.class), e -> true,
                AuditEntry::seq);
    }

    /** Drops events and audit entries older than the retention. */
    public void trimLogs() {
        writerCheck.run();
        trim(events, counters.get(EVENT_SEQ));
        trim(audit, counters.get(AUDIT_SEQ));
    }

    /**
     * A new job id: {@code j-} and a number that only grows, at least six digits ({@code j-000042}),
     * so ids are short, sort by submission, and are never given twice.
     */
    public String nextJobId() {
        writerCheck.run();
        return String.format("j-%06d", counters.incrementAndGet(JOB_SEQ));
    }

    public Optional<JobRecord> job(String id) {
        return Optional.ofNullable(jobs.get(id)).map(json -> read(json, JobRecord.class));
    }

    public void put(JobRecord job) {
        putAll(List.of(job));
    }

    /** Stores jobs and their summaries, in one write each however many. */
    public void putAll(List<JobRecord> changed) {
        writerCheck.run();
        Map<String, String> records = new TreeMap<>();
        Map<String, String> summaries = new TreeMap<>();
        for (JobRecord job : changed) {
            records.put(job.id(), write(job));
            summaries.put(job.id(), write(JobSummary.of(job)));
        }
        jobs.putAll(records);
        jobSummaries.putAll(summaries);
    }

    /** The jobs of these ids that are stored, by id, read in one call. */
    public Map<String, JobRecord> jobs(Set<String> ids) {
        Map<String, JobRecord> found = new HashMap<>();
        jobs.getAll(ids).forEach((id, json) -> found.put(id, read(json, JobRecord.class)));
        return found;
    }

    /** Every job's summary, oldest first. */
    public List<JobSummary> jobSummaries() {
        List<JobSummary> all = new ArrayList<>();
        jobSummaries.forEach(entry -> all.add(read(entry.getValue(), JobSummary.class)));
        all.sort(Comparator.comparing(JobSummary::id, ID_ORDER));
        return all;
    }

    /** Every job, oldest first. */
    public List<JobRecord> jobs() {
        List<JobRecord> all = new ArrayList<>();
        jobs.forEach(entry -> all.add(read(entry.getValue(), JobRecord.class)));
        all.sort(Comparator.comparing(JobRecord::id, ID_ORDER));
        return all;
    }

    /** Drops the oldest finished jobs beyond {@link #FINISHED_JOBS_KEPT}. */
    public void trimJobs() {
        writerCheck.run();
        List<JobRecord> finished = jobs().stream().filter(j -> j.state().finished()).toList();
        if (finished.size() > FINISHED_JOBS_KEPT) {
            Set<String> old = new LinkedHashSet<>();
            for (JobRecord job : finished.subList(0, finished.size() - FINISHED_JOBS_KEPT)) {
                old.add(job.id());
            }
            jobs.removeAll(old);
            jobSummaries.removeAll(old);
        }
    }

    /** A new runbook run id: {@code run-} and a number that only grows ({@code run-12}). */
    public String nextRunId() {
        writerCheck.run();
        return "run-" + counters.incrementAndGet(RUN_SEQ);
    }

    public Optional<RunRecord> run(String id) {
        return Optional.ofNullable(runs.get(id)).map(json -> read(json, RunRecord.class));
    }

    public void put(RunRecord run) {
        writerCheck.run();
        runs.put(run.id(), write(run));
    }

    /** Every run, newest first. */
    public List<RunRecord> runs() {
        List<RunRecord> all = new ArrayList<>();
        runs.forEach(entry -> all.add(read(entry.getValue(), RunRecord.class)));
        all.sort(Comparator.comparing(RunRecord::id, ID_ORDER).reversed());
        return all;
    }

    /** Drops the oldest ended runs beyond {@link #ENDED_RUNS_KEPT}. */
    public void trimRuns() {
        writerCheck.run();
        List<RunRecord> ended = runs().stream().filter(r -> r.state().ended()).toList();
        if (ended.size() > ENDED_RUNS_KEPT) {
            runs.removeAll(ended.subList(ENDED_RUNS_KEPT, ended.size()).stream().map(RunRecord::id)
                    .collect(Collectors.toSet()));
        }
    }

    /** The runbooks' circuit breaker as last stored, if it ever changed. */
    public Optional<Breaker> breaker() {
        return Optional.ofNullable(automation.get(BREAKER)).map(json -> read(json, Breaker.class));
    }

    public void put(Breaker breaker) {
        writerCheck.run();
        automation.put(BREAKER, write(breaker));
    }

    /** The scheduler's fair-share usage as the leader last stored it, if ever. */
    public Optional<FairShareUsage> fairShareUsage() {
        return Optional.ofNullable(automation.get(FAIR_SHARE)).map(json -> read(json, FairShareUsage.class));
    }

    public void put(FairShareUsage usage) {
        writerCheck.run();
        automation.put(FAIR_SHARE, write(usage));
    }

    /**
     * Each tenant's decayed GPU-seconds as of {@code asOf}: what orders the queue between tenants, stored so that a
     * new leader does not start every tenant from nothing (a heavy user would jump the queue after a failover).
     */
    public record FairShareUsage(Map<String, Double> gpuSeconds, Instant asOf) {
        public FairShareUsage {
            gpuSeconds = gpuSeconds == null ? Map.of() : Map.copyOf(gpuSeconds);
        }
    }

    /**
     * Whether automation is halted, stored so that a new leader does not start runbooks an
     * operator has not resumed.
     */
    public record Breaker(boolean halted, String reason, String actor, Instant since) {
    }

    public Optional<TokenRecord> token(String id) {
        return Optional.ofNullable(tokens.get(id)).map(json -> read(json, TokenRecord.class));
    }

    public List<TokenRecord> tokens() {
        List<TokenRecord> all = new ArrayList<>();
        tokens.forEach(entry -> all.add(read(entry.getValue(), TokenRecord.class)));
        all.sort(Comparator.comparing(TokenRecord::created).thenComparing(TokenRecord::id));
        return all;
    }

    public boolean hasTokens() {
        return tokens.size() > 0;
    }

    public void put(TokenRecord token) {
        writerCheck.run();
        tokens.put(token.id(), write(token));
    }

    public boolean removeToken(String id) {
        writerCheck.run();
        return tokens.remove(id);
    }

    private static <T> Page<T> page(IgniteCache<Long, String> cache, long last, long since, int limit,
                                    Function<String, T> reader, Predicate<T> keep, ToLongFunction<T> seq) {
        List<T> page = new ArrayList<>();
        long readTo = Math.max(since, 0);
        long from = Math.max(since + 1, last - LOG_RETENTION + 1);
        // Keys are dense, so read them in batches rather than scanning the cache.
        for (long start = Math.max(from, 1); start <= last && page.size() < limit; start += 256) {
            Set<Long> keys = new LinkedHashSet<>();
            for (long key = start; key < start + 256 && key <= last; key++) {
                keys.add(key);
            }
            Map<Long, String> found = new TreeMap<>(cache.getAll(keys));
            for (String json : found.values()) {
                T item = reader.apply(json);
                readTo = seq.applyAsLong(item);
                if (keep.test(item)) {
                    page.add(item);
                    if (page.size() == limit) {
                        break;
                    }
                }
            }
        }
        return new Page<>(page, readTo);
    }

    private static void trim(IgniteCache<Long, String> cache, long last) {
        long keepFrom = last - LOG_RETENTION + 1;
        Set<Long> old = new LinkedHashSet<>();
        for (long seq = keepFrom - 1; seq > 0 && old.size() < 10_000; seq--) {
            old.add(seq);
        }
        if (!old.isEmpty()) {
            cache.removeAll(old);
        }
    }

    static String write(Object value) {
        return Json.write(value);
    }

    static <T> T read(String json, Class<T> type) {
        return Json.read(json, type);
    }
}
