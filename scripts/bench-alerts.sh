#!/usr/bin/env bash
# Alert engine benchmark (README, Performance): XID 79 in the fleet snapshot -> PagerDuty trigger
# received by a local stand-in, with the shipped rules over 1,000 8-GPU nodes.
# Arguments: [--nodes N] [--iterations N] [--warmup N]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am -DskipTests install
./mvnw -B -q -pl benchmarks dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt
exec java -Xmx512m -XX:+UseSerialGC \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vigil.benchmarks.AlertLatencyBenchmark "$@"
