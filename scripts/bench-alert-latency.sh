#!/usr/bin/env bash
# End-to-end alert latency (README.md, Performance): XID 79 raised on a
# simulated agent -> PagerDuty trigger received by a local stand-in, through bin/vigil controller
# with the shipped conf/alerts.yaml. Arguments: [--nodes N] [--samples N] [--warmup N]
set -euo pipefail
cd "$(dirname "$0")/.."
./vigil --version >/dev/null   # builds the distribution when it is stale
./mvnw -B -q -pl benchmarks -am -DskipTests install
./mvnw -B -q -pl benchmarks dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt
dist=$(ls -d cli/target/vigil-*/vigil-*/ | head -n 1)
exec java -Xmx512m -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vigil.benchmarks.XidToPageBenchmark --vigil "${dist}bin/vigil" "$@"
