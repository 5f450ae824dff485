package dev.vigil.controller.leader;

import dev.vigil.api.provisioning.AnsibleRun;
import dev.vigil.controller.state.Store;

import java.time.Clock;

/**
 * Provisioning's control on the leader: what {@code vigil provision} did to hosts outside the
 * controller (an ansible-playbook run) goes into the audit log, in the loop's order like every
 * other change.
 */
final class ProvisioningControl {
    private final Store store;
    private final Clock clock;
    private final EventLoop loop;

    ProvisioningControl(Store store, Clock clock, EventLoop loop) {
        this.store = store;
        this.clock = clock;
        this.loop = loop;
    }

    /** The audit entry says the run's outcome: {@code ansible run succeeded} or {@code ansible run failed}. */
    Outcome record(Mutation.RecordAnsibleRun record) {
        loop.requireLoop();
        AnsibleRun run = record.run();
        return Outcomes.value(store.audit(record.caller().audited(clock.instant(), run.describe(), 201,
                "ansible run " + (run.succeeded() ? "succeeded" : "failed"))));
    }
}
