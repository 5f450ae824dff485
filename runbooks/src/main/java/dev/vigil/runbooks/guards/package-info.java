/**
 * Where automation earns trust: whether a run may start now, must queue, is refused, escalates to
 * people, or finds automation halted by the circuit breaker. Pure: the controller passes what it knows.
 */
package dev.vigil.runbooks.guards;
