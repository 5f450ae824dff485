package dev.vigil.controller.alerting;

/**
 * The answer to Alertmanager's webhook.
 *
 * @param alerts how many alerts the body carried
 * @param taken  how many changed an alert here (the rest were Vigil's own coming back, or
 *               resolutions of alerts Vigil never had)
 */
public record Received(int alerts, int taken) {
}
