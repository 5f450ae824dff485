package dev.vigil.controller.leader;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.vigil.alerts.inbound.AlertmanagerWebhook;
import dev.vigil.alerts.suppression.SilenceRequest;
import dev.vigil.api.cluster.AgentReport;
import dev.vigil.api.cluster.Role;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.mig.MigRequest;
import dev.vigil.api.provisioning.AnsibleRun;
import dev.vigil.api.runbooks.RunRequest;

import java.util.List;
import java.util.Locale;

/**
 * A change to the cluster state. Any member takes it; the leader applies them one at a time, in
 * order, and writes the audit entry with it. Mutations travel to the leader as JSON.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Mutation.Report.class, name = "report"),
        @JsonSubTypes.Type(value = Mutation.NodeChange.class, name = "node-change"),
        @JsonSubTypes.Type(value = Mutation.GpuChange.class, name = "gpu-change"),
        @JsonSubTypes.Type(value = Mutation.IssueToken.class, name = "issue-token"),
        @JsonSubTypes.Type(value = Mutation.RevokeToken.class, name = "revoke-token"),
        @JsonSubTypes.Type(value = Mutation.SubmitJob.class, name = "submit-job"),
        @JsonSubTypes.Type(value = Mutation.SubmitJobs.class, name = "submit-jobs"),
        @JsonSubTypes.Type(value = Mutation.CancelJob.class, name = "cancel-job"),
        @JsonSubTypes.Type(value = Mutation.BackendJobEnded.class, name = "backend-job-ended"),
        @JsonSubTypes.Type(value = Mutation.CreateSilence.class, name = "create-silence"),
        @JsonSubTypes.Type(value = Mutation.ExpireSilence.class, name = "expire-silence"),
        @JsonSubTypes.Type(value = Mutation.ReceiveAlerts.class, name = "receive-alerts"),
        @JsonSubTypes.Type(value = Mutation.StartRun.class, name = "start-run"),
        @JsonSubTypes.Type(value = Mutation.ApproveRun.class, name = "approve-run"),
        @JsonSubTypes.Type(value = Mutation.AbortRun.class, name = "abort-run"),
        @JsonSubTypes.Type(value = Mutation.ResumeAutomation.class, name = "resume-automation"),
        @JsonSubTypes.Type(value = Mutation.ReloadRunbooks.class, name = "reload-runbooks"),
        @JsonSubTypes.Type(value = Mutation.SetMig.class, name = "set-mig"),
        @JsonSubTypes.Type(value = Mutation.RecordAnsibleRun.class, name = "record-ansible-run"),
        @JsonSubTypes.Type(value = Mutation.Refused.class, name = "refused")})
public sealed interface Mutation {
    Caller caller();

    /** Its name on the wire ({@code submit-job}): the kind of event it is on the leader. */
    static String kind(Mutation mutation) {
        return mutation.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** An agent's report; the answer is the node's desired state. */
    record Report(String node, AgentReport report, Caller caller) implements Mutation {
    }

    /** An operator's cordon, uncordon, drain or resume; the answer is the node. */
    record NodeChange(String node, NodeAction action, String reason, Caller caller) implements Mutation {
    }

    /**
     * An operator's cordon or uncordon of one GPU of a node ({@link NodeAction#CORDON} or
     * {@link NodeAction#UNCORDON}); the answer is the node.
     */
    record GpuChange(String node, int gpu, NodeAction action, String reason, Caller caller) implements Mutation {
    }

    /** A new API token; the answer carries its secret, once. */
    record IssueToken(String name, Role role, Caller caller) implements Mutation {
    }

    /** Revokes a token; the answer is the token as it was. */
    record RevokeToken(String id, Caller caller) implements Mutation {
    }

    /** A job to queue; the answer is its record, with the id the controller gave it. */
    record SubmitJob(JobSpec spec, Caller caller) implements JobMutation {
    }

    /**
     * Jobs to queue together, all or none, in their order (one event, however many jobs); the answer
     * is a {@link SubmittedJobs}.
     */
    record SubmitJobs(List<JobSpec> specs, Caller caller) implements JobMutation {
    }

    /** Cancels a job (its submitter's, or any for an operator); the answer is its record. */
    record CancelJob(String job, String reason, Caller caller) implements JobMutation {
    }

    /**
     * A node says a job of an execution backend ended there ({@code slurm:1234}, from Slurm's
     * epilog): a hint to look at once rather than at the next poll; the answer is the mutation.
     */
    record BackendJobEnded(String node, String backendJob, Caller caller) implements JobMutation {
    }

    /** The mutations the jobs' control (the scheduler loop) applies. */
    sealed interface JobMutation extends Mutation permits SubmitJob, SubmitJobs, CancelJob, BackendJobEnded {
    }

    /** A silence to create; the answer is the silence. */
    record CreateSilence(SilenceRequest request, Caller caller) implements AlertMutation {
    }

    /** Ends a silence now; the answer is the silence. */
    record ExpireSilence(String id, Caller caller) implements AlertMutation {
    }

    /** Alerts from Alertmanager's webhook; the answer says how many were taken. */
    record ReceiveAlerts(AlertmanagerWebhook message, Caller caller) implements AlertMutation {
    }

    /** The mutations the alert engine applies. */
    sealed interface AlertMutation extends Mutation permits CreateSilence, ExpireSilence, ReceiveAlerts {
    }

    /** An operator runs a runbook by hand; the answer is the new run. */
    record StartRun(String runbook, RunRequest request, Caller caller) implements RunbookMutation {
    }

    /** An operator approves the step a run waits on; the answer is the run. */
    record ApproveRun(String run, String reason, Caller caller) implements RunbookMutation {
    }

    /** An operator stops a run; the answer is the run. */
    record AbortRun(String run, String reason, Caller caller) implements RunbookMutation {
    }

    /** An operator lets automation act again after the circuit breaker tripped; the answer is its status. */
    record ResumeAutomation(String reason, Caller caller) implements RunbookMutation {
    }

    /** Reads the runbook files again; the answer lists the runbooks. */
    record ReloadRunbooks(String reason, Caller caller) implements RunbookMutation {
    }

    /** The mutations the runbooks' control applies. */
    sealed interface RunbookMutation extends Mutation permits StartRun, ApproveRun, AbortRun, ResumeAutomation,
            ReloadRunbooks {
    }

    /**
     * Puts GPUs of a node (or of every node of a pool) into a named MIG config; the answer is the
     * node's layouts (a list of them for a pool).
     *
     * @param node the node, or null for a pool
     * @param pool the pool, or null for a node
     */
    record SetMig(String node, String pool, MigRequest request, Caller caller) implements MigMutation {
    }

    /** The mutations the MIG control applies. */
    sealed interface MigMutation extends Mutation permits SetMig {
    }

    /**
     * An ansible-playbook run against the fleet ({@code vigil provision ansible}) to record in the
     * audit log; the answer is the audit entry.
     */
    record RecordAnsibleRun(AnsibleRun run, Caller caller) implements Mutation {
    }

    /** A mutating request refused before it reached the leader (auth, input): audited all the same. */
    record Refused(String action, String detail, int status, String result, Caller caller) implements Mutation {
    }
}
