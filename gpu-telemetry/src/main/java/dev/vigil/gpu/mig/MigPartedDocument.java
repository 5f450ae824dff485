package dev.vigil.gpu.mig;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.vigil.api.binding.InvalidValueException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A mig-parted config file ({@code api/spec/v1}): {@code version: v1} and {@code mig-configs}, a
 * map of config name to a non-empty list of entries. Unknown keys are refused by the binder.
 */
record MigPartedDocument(@JsonProperty("version") String version,
                         @JsonProperty("mig-configs") Map<String, List<MigPartedEntry>> migConfigs) {
    static final String VERSION = "v1";

    // Absent values are checked by requireComplete() after binding: the binder reports unknown keys
    // only once the constructor has run, so throwing here for a missing key would hide a misspelt one.
    MigPartedDocument {
        if (version != null) {
            checkVersion(version);
        }
        if (migConfigs != null) {
            InvalidValueException.require(!migConfigs.isEmpty(), "mig-configs", "{}", "at least one config");
            Map<String, List<MigPartedEntry>> copy = new LinkedHashMap<>();
            migConfigs.forEach((name, entries) -> {
                InvalidValueException.require(entries != null && !entries.isEmpty(), "mig-configs." + name,
                        entries == null ? null : "[]", "a list of at least one entry");
                for (int i = 0; i < entries.size(); i++) {
                    InvalidValueException.required(entries.get(i), "mig-configs." + name + "[" + i + "]",
                            "an entry with devices and mig-enabled");
                }
                copy.put(name, List.copyOf(entries));
            });
            migConfigs = Collections.unmodifiableMap(copy); // file order, so listings read like the file
        }
    }

    /** Throws for the first required key that is absent, naming its full path. */
    void requireComplete() {
        checkVersion(version);
        InvalidValueException.required(migConfigs, "mig-configs", "a mapping of config name to a list of entries");
        migConfigs.forEach((name, entries) -> {
            for (int i = 0; i < entries.size(); i++) {
                entries.get(i).requireComplete("mig-configs." + name + "[" + i + "].");
            }
        });
    }

    static void checkVersion(String version) {
        InvalidValueException.required(version, "version", VERSION);
        InvalidValueException.require(VERSION.equals(version), "version", version, VERSION);
    }

    /**
     * Read before the whole document, as mig-parted does, so a file of another version is refused
     * for its version rather than for the first key this version does not know.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record VersionOnly(@JsonProperty("version") String version) {
        VersionOnly {
            checkVersion(version);
        }
    }
}
