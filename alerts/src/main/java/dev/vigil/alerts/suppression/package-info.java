/** What keeps an alert from being notified: label matchers, silences and inhibition rules. */
package dev.vigil.alerts.suppression;
