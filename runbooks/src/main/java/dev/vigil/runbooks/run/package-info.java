/**
 * How a run moves ({@link dev.vigil.runbooks.run.Runs}): a pure function of the stored run, its
 * runbook, the {@link dev.vigil.runbooks.Fleet} port and the time, which a new leader calls on the
 * stored record to go on exactly where the old one stopped.
 */
package dev.vigil.runbooks.run;
