/** Alertmanager's routing tree and aggregation groups: which receiver hears of an alert, and when. */
package dev.vigil.alerts.routing;
