/**
 * Placement enforcement on the leader: the pure step that audits what agents did about processes on GPUs their
 * jobs were not given and cordons GPUs under the {@code cordon-gpu} policy ({@link
 * dev.vigil.controller.placement.PlacementReflex}); the violations as the REST API lists them.
 */
package dev.vigil.controller.placement;
