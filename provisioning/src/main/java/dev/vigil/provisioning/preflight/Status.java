package dev.vigil.provisioning.preflight;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** A check's verdict; the worst of a host's checks is the host's. */
public enum Status {
    PASS, WARN, FAIL;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Status worst(Status a, Status b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
