/** Alerts and their lifecycle: pending, firing, resolved; fingerprints from labels. */
package dev.vigil.alerts.lifecycle;
