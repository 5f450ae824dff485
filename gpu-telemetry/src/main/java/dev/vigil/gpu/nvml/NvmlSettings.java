package dev.vigil.gpu.nvml;

/**
 * How to reach NVML.
 *
 * @param library the library to load: a file name looked up by the dynamic linker, or a path
 *                (default {@code libnvidia-ml.so.1}, which the NVIDIA driver installs)
 */
public record NvmlSettings(String library) {
    public static final String DEFAULT_LIBRARY = "libnvidia-ml.so.1";

    public NvmlSettings {
        library = library == null || library.isBlank() ? DEFAULT_LIBRARY : library;
    }

    public static NvmlSettings defaults() {
        return new NvmlSettings(null);
    }
}
