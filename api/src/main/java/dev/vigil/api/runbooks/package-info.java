/**
 * Runbooks as the controller serves them and runs them: a run, the state of each of its steps,
 * and what an operator sends to start one.
 */
package dev.vigil.api.runbooks;
