#!/usr/bin/env bash
# JNA sampling benchmark (README, Performance): µs and bytes allocated per sample of 8 GPUs ×
# the default fields through the DCGM and NVML bindings, against the fake vendor libraries.
# Extra arguments go to JMH, e.g. -i 10.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am -DskipTests install
./mvnw -B -q -pl gpu-telemetry generate-test-resources   # compiles the fake libraries with gcc
./mvnw -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
exec java -cp "$cp" org.openjdk.jmh.Main BackendSampleBenchmark -prof gc \
  -jvmArgsAppend "-Dvigil.fakelibs=$PWD/gpu-telemetry/target/fakelibs" "$@"
