/* The fake libnvidia-ml.so.1: see NvmlBackendTest. */
