package dev.vigil.runbooks;

/** Whether a runbook's runs act ({@code active}) or only record what they would do ({@code dry-run}). */
public enum Mode {
    ACTIVE,
    DRY_RUN
}
