#!/usr/bin/env bash
# Connection flood (issue 10, item 8): bin/vigil controller under a low open-file limit, flooded
# with more connections than the limit from 127.0.0.1, while an operator on 127.0.0.2 reads and
# writes. Arguments: [--connections N] [--fd-limit N] [--vigil PATH/bin/vigil]
set -euo pipefail
cd "$(dirname "$0")/.."
./vigil --version >/dev/null   # builds the distribution when it is stale
./mvnw -B -q -pl benchmarks -am -DskipTests install
./mvnw -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
dist=$(ls -d cli/target/vigil-*/vigil-*/ | head -n 1)
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vigil.benchmarks.ConnectionFloodBenchmark --vigil "${dist}bin/vigil" "$@"
