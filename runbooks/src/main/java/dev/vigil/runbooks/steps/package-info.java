/**
 * The closed set of step kinds: how a runbook file writes each ({@link dev.vigil.runbooks.steps.StepSpec})
 * and one small class per kind that carries it out ({@link dev.vigil.runbooks.steps.Step}).
 */
package dev.vigil.runbooks.steps;
