/**
 * The fleet snapshot the alert rules evaluate: nodes, GPUs with health and readings, pending
 * jobs and tenants' quota use. The controller builds it; the engine reads nothing else.
 */
package dev.vigil.alerts.fleet;
