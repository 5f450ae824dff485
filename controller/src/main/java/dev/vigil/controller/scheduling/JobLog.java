package dev.vigil.controller.scheduling;

import dev.vigil.api.cluster.ClusterEvent;
import dev.vigil.api.gpu.RepairAction;
import dev.vigil.api.gpu.Severity;
import dev.vigil.api.jobs.JobRecord;
import dev.vigil.api.jobs.JobState;
import dev.vigil.api.jobs.JobTransition;
import dev.vigil.controller.state.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Stores what the scheduler changed: each job's record, with who submitted it (the scheduler
 * does not know), and every transition as a cluster event and a log line, so {@code vigil events}
 * shows jobs moving beside nodes; each placement tells the observer how long the job waited.
 * Owned by the scheduler loop's thread.
 */
final class JobLog {
    private static final Logger LOG = LoggerFactory.getLogger(JobLog.class);

    private final Store store;
    private final SchedulerLoop.Observer observer;
    /** Submitters of unfinished jobs. */
    private final Map<String, String> submitters = new HashMap<>();

    JobLog(Store store, SchedulerLoop.Observer observer) {
        this.store = store;
        this.observer = observer;
    }

    void submittedBy(String job, String submitter) {
        if (submitter != null) {
            submitters.put(job, submitter);
        }
    }

    String submitter(String job) {
        return submitters.get(job);
    }

    void forget() {
        submitters.clear();
    }

    /**
     * Stores the records; each transition since the stored record becomes an event by {@code actor}.
     * Read, stored and appended in one call each, however many jobs a cycle moved.
     */
    void persist(List<JobRecord> changed, String actor) {
        if (changed.isEmpty()) {
            return;
        }
        Map<String, JobRecord> before = store.jobs(changed.stream().map(JobRecord::id)
                .collect(Collectors.toCollection(LinkedHashSet::new)));
        List<JobRecord> stored = new ArrayList<>(changed.size());
        List<ClusterEvent> events = new ArrayList<>();
        for (JobRecord record : changed) {
            JobRecord old = before.get(record.id());
            String submitter = submitters.get(record.id());
            JobRecord next = record.withSubmitter(submitter != null ? submitter : old == null ? null : old.submitter());
            stored.add(next);
            List<JobTransition> history = next.history();
            int first = Math.min(old == null ? 0 : old.history().size(), history.size());
            for (int i = first; i < history.size(); i++) {
                JobTransition transition = history.get(i);
                events.add(event(next, transition, actor));
                if (transition.to() == JobState.PLACED) {
                    observer.placed(next.spec().tenant(), Duration.between(JobsView.waitingSince(next, i),
                            transition.time()));
                }
            }
            if (next.state().finished()) {
                submitters.remove(next.id());
            }
        }
        store.putAll(stored);
        store.appendAll(events);
    }

    private static ClusterEvent event(JobRecord job, JobTransition transition, String actor) {
        String from = transition.from() == null ? "new" : SchedulerLoop.wire(transition.from());
        String to = SchedulerLoop.wire(transition.to());
        LOG.atInfo().addKeyValue("job", job.id()).addKeyValue("name", job.spec().name()).addKeyValue("from", from)
                .addKeyValue("to", to).addKeyValue("reason", transition.reason()).addKeyValue("actor", actor)
                .log("job_transition");
        return new ClusterEvent(0, transition.time(), null, null, "job", severity(transition.to()),
                RepairAction.NONE, "job " + job.id() + " (" + job.spec().name() + ") " + from + " -> " + to + ": "
                + transition.reason(), actor);
    }

    private static Severity severity(JobState to) {
        return switch (to) {
            case FAILED, PREEMPTED, CANCELLED -> Severity.WARNING;
            default -> Severity.INFO;
        };
    }
}
