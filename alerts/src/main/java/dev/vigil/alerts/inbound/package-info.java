/** Alerts that come in: Alertmanager's webhook body, so Prometheus's alerts page through Vigil. */
package dev.vigil.alerts.inbound;
