/**
 * Runbooks: definitions read from YAML ({@link dev.vigil.runbooks.RunbookFiles}), their steps
 * ({@link dev.vigil.runbooks.steps}), and how a run moves and whether it may start
 * ({@link dev.vigil.runbooks.run}). Pure and deterministic: the controller's leader calls it on its one
 * thread with the time, and every effect goes through the {@link dev.vigil.runbooks.run.Fleet} port.
 */
package dev.vigil.runbooks;
