/**
 * The fleet snapshot the alert rules evaluate: nodes, GPUs with health and readings, pending
 * jobs, tenants' quota use, runbook runs and the runbooks' circuit breaker. The controller builds
 * it; the engine reads nothing else.
 */
package dev.vigil.alerts.fleet;
