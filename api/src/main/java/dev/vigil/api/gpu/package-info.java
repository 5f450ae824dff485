/**
 * The GPU model as it travels: what a node has (devices, NVLink peers, MIG instances, topology),
 * how healthy each GPU is and why, and the events (XIDs) it raised. The agent produces these from
 * its backend, the controller stores them and the CLI prints them, so they live here in the wire
 * module rather than in gpu-telemetry.
 */
package dev.vigil.api.gpu;
