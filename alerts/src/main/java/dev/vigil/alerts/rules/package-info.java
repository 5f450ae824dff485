/**
 * Alert rules as {@code conf/alerts.yaml} writes them: a closed set of condition kinds over the
 * fleet snapshot, labels, and annotations with {@code ${name}} placeholders and a runbook link.
 */
package dev.vigil.alerts.rules;
