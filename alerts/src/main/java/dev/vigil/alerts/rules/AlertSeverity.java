package dev.vigil.alerts.rules;

import java.util.Locale;

/** How urgent an alert is: PagerDuty's four levels, which every other receiver understands too. */
public enum AlertSeverity {
    CRITICAL,
    ERROR,
    WARNING,
    INFO;

    /** The label value, e.g. {@code critical}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The severity a {@code severity} label names. An alert from elsewhere without one, or with a
     * word Vigil does not know, is an error: it still pages, and the original label travels with it.
     */
    public static AlertSeverity ofLabel(String value) {
        if (value != null) {
            for (AlertSeverity severity : values()) {
                if (severity.wire().equalsIgnoreCase(value.trim())) {
                    return severity;
                }
            }
        }
        return ERROR;
    }
}
