/**
 * What agents, the controller and the CLI say to each other about the fleet: agent reports and
 * the desired state in the reply, nodes and GPUs as the controller sees them, cluster events,
 * the audit log, members and tokens.
 */
package dev.vigil.api.cluster;
