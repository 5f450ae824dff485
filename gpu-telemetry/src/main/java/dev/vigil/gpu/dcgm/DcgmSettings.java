package dev.vigil.gpu.dcgm;

import dev.vigil.api.binding.InvalidValueException;

import java.time.Duration;
import java.util.List;

/**
 * How to reach DCGM.
 *
 * @param libraries      libraries to try in order: file names looked up by the dynamic linker, or
 *                       paths (default {@code libdcgm.so.4}, then {@code libdcgm.so.3})
 * @param mode           {@code embedded} (the host engine runs inside the agent, the default) or
 *                       {@code remote} (connect to a running {@code nv-hostengine})
 * @param address        for remote: {@code host:port} (default {@code localhost:5555}) or
 *                       {@code unix:///path/to/socket}
 * @param connectTimeout for remote: how long one connection attempt may take
 */
public record DcgmSettings(List<String> libraries, Mode mode, String address, Duration connectTimeout) {
    public static final List<String> DEFAULT_LIBRARIES = List.of("libdcgm.so.4", "libdcgm.so.3");

    /** Where the host engine runs. */
    public enum Mode {
        EMBEDDED,
        REMOTE
    }

    public DcgmSettings {
        libraries = libraries == null || libraries.isEmpty() ? DEFAULT_LIBRARIES : List.copyOf(libraries);
        mode = mode == null ? Mode.EMBEDDED : mode;
        address = address == null || address.isBlank() ? "localhost:5555" : address;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        InvalidValueException.require(!connectTimeout.isNegative() && !connectTimeout.isZero()
                && connectTimeout.compareTo(Duration.ofMinutes(1)) <= 0, "connectTimeout", connectTimeout,
                "from 1ms to 1m");
        InvalidValueException.require(address.startsWith("unix://") || address.matches("[^\\s:/]+:\\d{1,5}"),
                "address", address, "host:port, e.g. localhost:5555, or unix:///run/nvidia-dcgm/nv-hostengine.sock");
    }

    public static DcgmSettings defaults() {
        return new DcgmSettings(null, null, null, null);
    }

    /** Whether {@link #address} names a unix socket. */
    public boolean unixSocket() {
        return address.startsWith("unix://");
    }
}
