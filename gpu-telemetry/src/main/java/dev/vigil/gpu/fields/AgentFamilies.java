package dev.vigil.gpu.fields;

import java.util.List;

/**
 * The metric families an agent's /metrics carries besides the fields of {@link FieldCatalog}: the
 * XID count over a window, the health state, and the agent's own. They live here, below the agent,
 * so that what reads those metrics (the shipped alert rules and dashboards) can check its names
 * without depending on the agent. The agent registers its families under these names, and its
 * tests find exactly the fields and these in a live /metrics.
 *
 * <p>Each is named as a scrape shows it: a counter with {@code _total}, an info with
 * {@code _info}, a histogram by its base name (its series add {@code _bucket}, {@code _sum} and
 * {@code _count}).
 */
public final class AgentFamilies {
    /** dcgm-exporter's XIDs per GPU and XID over a window. */
    public static final String XID_ERRORS_COUNT = "DCGM_EXP_XID_ERRORS_COUNT";
    /** 1 for a GPU's current health state, 0 for the others. */
    public static final String GPU_HEALTH_STATE = "vigil_gpu_health_state";
    /**
     * 1 for the phase of a GPU's MIG target ({@code phase} label: applying, success, failed,
     * reset-required), one series per GPU with a target. Only on an agent that reports to a controller.
     */
    public static final String MIG_PHASE = "vigil_mig_phase";
    /**
     * Processes on a GPU per placement verdict ({@code verdict} label: allowed, overreach, rogue, system,
     * unjudged), one series per GPU and verdict it has. Only on an agent that reports to a controller.
     */
    public static final String GPU_PROCESSES = "vigil_gpu_processes";
    /** The agent's version and GPU backend. */
    public static final String INFO = "vigil_agent_info";
    public static final String SAMPLE_DURATION = "vigil_agent_sample_duration_seconds";
    public static final String SCRAPE_DURATION = "vigil_agent_scrape_duration_seconds";
    public static final String BACKEND_ERRORS = "vigil_agent_backend_errors_total";
    /** Only on an agent that reports to a controller. */
    public static final String REPORTS = "vigil_agent_reports_total";
    /** Only on an agent that reports to a controller. */
    public static final String REPORT_DURATION = "vigil_agent_report_duration_seconds";

    public static final List<String> ALL = List.of(XID_ERRORS_COUNT, GPU_HEALTH_STATE, MIG_PHASE, GPU_PROCESSES, INFO,
            SAMPLE_DURATION, SCRAPE_DURATION, BACKEND_ERRORS, REPORTS, REPORT_DURATION);

    private AgentFamilies() {
    }
}
