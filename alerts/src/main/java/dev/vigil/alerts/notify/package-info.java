/**
 * Receivers and how notifications reach them: PagerDuty Events v2, Alertmanager's webhook body,
 * the log, the push to Alertmanager; the outbox that records every delivery before it is sent,
 * retries failures with backoff and keeps refusals visible; the dispatcher that sends.
 */
package dev.vigil.alerts.notify;
