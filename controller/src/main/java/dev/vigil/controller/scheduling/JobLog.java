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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /** Stores the records; each transition since the stored record becomes an event by {@code actor}. */
    void persist(List<JobRecord> changed, String actor) {
        for (JobRecord record : changed) {
            JobRecord before = store.job(record.id()).orElse(null);
            String submitter = submitters.get(record.id());
            JobRecord stored = record.withSubmitter(submitter != null ? submitter
                    : before == null ? null : before.submitter());
            store.put(stored);
            List<JobTransition> history = stored.history();
            int first = Math.min(before == null ? 0 : before.history().size(), history.size());
            for (int i = first; i < history.size(); i++) {
                JobTransition transition = history.get(i);
                event(stored, transition, actor);
                if (transition.to() == JobState.PLACED) {
                    observer.placed(stored.spec().tenant(), Duration.between(JobsView.waitingSince(stored, i),
                            transition.time()));
                }
            }
            if (stored.state().finished()) {
                submitters.remove(stored.id());
            }
        }
    }

    private void event(JobRecord job, JobTransition transition, String actor) {
        String from = transition.from() == null ? "new" : SchedulerLoop.wire(transition.from());
        String to = SchedulerLoop.wire(transition.to());
        store.append(new ClusterEvent(0, transition.time(), null, null, "job", severity(transition.to()),
                RepairAction.NONE, "job " + job.id() + " (" + job.spec().name() + ") " + from + " -> " + to + ": "
                + transition.reason(), actor));
        LOG.atInfo().addKeyValue("job", job.id()).addKeyValue("name", job.spec().name()).addKeyValue("from", from)
                .addKeyValue("to", to).addKeyValue("reason", transition.reason()).addKeyValue("actor", actor)
                .log("job_transition");
    }

    private static Severity severity(JobState to) {
        return switch (to) {
            case FAILED, PREEMPTED, CANCELLED -> Severity.WARNING;
            default -> Severity.INFO;
        };
    }
}
