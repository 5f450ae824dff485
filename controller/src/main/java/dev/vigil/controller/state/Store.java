package dev.vigil.controller.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.api.binding.Documents;
import dev.vigil.api.cluster.AuditEntry;
import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.cluster.NodeRecord;
import dev.vigil.api.cluster.NodeSummary;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobSummary;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.configuration.CacheConfiguration;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The durable cluster state in Ignite caches: nodes, jobs, the event log, the audit log and tokens.
 *
 * <p>Every cache is REPLICATED (each member holds all of it, so reads are local) with FULL_SYNC
 * writes (a write returns once every member has it: the default PRIMARY_SYNC gave stale reads on
 * another member in about 40 % of reads). Values are JSON: Ignite's marshaller cannot write Java
 * records, and JSON keeps stored state readable across versions of these classes. Only the
 * leader writes; any member reads.
 */
public final class Store {
    /** Events and audit entries kept; older ones are dropped by the leader. */
    public static final long LOG_RETENTION = 100_000;
    /** Finished jobs kept for {@code vigil jobs} and {@code vigil job}; older ones are dropped by the leader. */
    public static final int FINISHED_JOBS_KEPT = 10_000;
    /** Job ids in submission order: by their number, whatever its width. */
    public static final Comparator<String> ID_ORDER = Comparator.comparingInt(String::length)
            .thenComparing(Comparator.naturalOrder());

    /** Cluster ids are six base-36 digits. */
    private static final long CLUSTER_IDS = 36L * 36 * 36 * 36 * 36 * 36;
    private static final String EVENT_SEQ = "event_seq";
    private static final String AUDIT_SEQ = "audit_seq";
    private static final String JOB_SEQ = "job_seq";

    private static final ObjectMapper JSON = Documents.json().copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final IgniteCache<String, String> nodes;
    /** Each node's summary beside it, so that listing a thousand nodes reads a little JSON, not their inventories. */
    private final IgniteCache<String, String> summaries;
    private final IgniteCache<Long, String> events;
    private final IgniteCache<Long, String> audit;
    private final IgniteCache<String, String> tokens;
    private final IgniteCache<String, String> jobs;
    /** Each job's summary beside it, so that listing reads a little JSON per job, not its history. */
    private final IgniteCache<String, String> jobSummaries;
    private final Counters counters;
    private final String clusterId;

    public Store(Ignite ignite) {
        this.nodes = ignite.getOrCreateCache(cache("vigil_nodes"));
        this.summaries = ignite.getOrCreateCache(cache("vigil_node_summaries"));
        this.events = ignite.getOrCreateCache(cache("vigil_events"));
        this.audit = ignite.getOrCreateCache(cache("vigil_audit"));
        this.tokens = ignite.getOrCreateCache(cache("vigil_tokens"));
        this.jobs = ignite.getOrCreateCache(cache("vigil_jobs"));
        this.jobSummaries = ignite.getOrCreateCache(cache("vigil_job_summaries"));
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

    /** The leader epoch: one more each time a member becomes leader; kept with the state, so it survives restarts. */
    public long leaderEpoch() {
        return counters.get(Counters.LEADER_EPOCH);
    }

    static <K> CacheConfiguration<K, String> cache(String name) {
        return new CacheConfiguration<K, String>(name)
                .setCacheMode(CacheMode.REPLICATED)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
    }

    public Optional<NodeRecord> node(String name) {
        return Optional.ofNullable(nodes.get(name)).map(json -> read(json, NodeRecord.class));
    }

    /** Every node, by name. */
    public List<NodeRecord> nodes() {
        Map<String, NodeRecord> sorted = new TreeMap<>();
        nodes.forEach(entry -> sorted.put(entry.getKey(), read(entry.getValue(), NodeRecord.class)));
        return new ArrayList<>(sorted.values());
    }

    public void put(NodeRecord node) {
        nodes.put(node.name(), write(node));
        summaries.put(node.name(), write(NodeSummary.of(node)));
    }

    /** Every node's summary as JSON, by name: served as it is stored. */
    public List<String> nodeSummariesJson() {
        Map<String, String> sorted = new TreeMap<>();
        summaries.forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return new ArrayList<>(sorted.values());
    }

    /** Appends an event; its {@code seq} is replaced by the next one. */
    public ClusterEvent append(ClusterEvent event) {
        long seq = counters.incrementAndGet(EVENT_SEQ);
        ClusterEvent numbered = new ClusterEvent(seq, event.time(), event.node(), event.gpu(), event.kind(),
                event.severity(), event.action(), event.message(), event.actor());
        events.put(seq, write(numbered));
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
        trim(events, counters.get(EVENT_SEQ));
        trim(audit, counters.get(AUDIT_SEQ));
    }

    /**
     * A new job id: {@code j-} and a number that only grows, at least six digits ({@code j-000042}),
     * so ids are short, sort by submission, and are never given twice.
     */
    public String nextJobId() {
        return String.format("j-%06d", counters.incrementAndGet(JOB_SEQ));
    }

    public Optional<JobRecord> job(String id) {
        return Optional.ofNullable(jobs.get(id)).map(json -> read(json, JobRecord.class));
    }

    public void put(JobRecord job) {
        jobs.put(job.id(), write(job));
        jobSummaries.put(job.id(), write(JobSummary.of(job)));
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
        tokens.put(token.id(), write(token));
    }

    public boolean removeToken(String id) {
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
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is unreadable: " + e.getMessage(), e);
        }
    }
}
