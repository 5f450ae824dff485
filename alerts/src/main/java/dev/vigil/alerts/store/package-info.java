/** The alert engine's persistence port, and the in-memory store for {@code vigil up} and tests. */
package dev.vigil.alerts.store;
