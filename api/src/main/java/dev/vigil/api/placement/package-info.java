/**
 * Placement enforcement on the wire: every process on a GPU attributed to its job and judged by the
 * node's agent ({@link dev.vigil.api.placement.JudgedProcess}, in agent reports), and what a node
 * pool's policy makes the agent do about violations ({@link dev.vigil.api.placement.PlacementPolicy},
 * in the desired state).
 */
package dev.vigil.api.placement;
