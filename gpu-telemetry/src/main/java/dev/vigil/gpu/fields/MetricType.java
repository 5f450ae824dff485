package dev.vigil.gpu.fields;

/** How a field is exposed, following dcgm-exporter's collector CSV types. */
public enum MetricType {
    /** A value that goes up and down. */
    GAUGE,
    /** A value that only grows (until a driver reload or GPU reset). */
    COUNTER,
    /** A string that becomes a label on every series of the GPU (e.g. the driver version). */
    LABEL
}
