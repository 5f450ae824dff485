#!/usr/bin/env bash
# Controller benchmark (README, Performance): GET /v1/nodes with 1,000 nodes registered, and
# 1,000 agents reporting every 2 s, against bin/vigil controller. Arguments: [--nodes N] [--seconds S]
set -euo pipefail
cd "$(dirname "$0")/.."
./vigil --version >/dev/null   # builds the distribution when it is stale
./mvnw -B -q -pl benchmarks -am -DskipTests install
./mvnw -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
dist=$(ls -d cli/target/vigil-*/vigil-*/ | head -n 1)
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vigil.benchmarks.ControllerBenchmark --vigil "${dist}bin/vigil" "$@"
