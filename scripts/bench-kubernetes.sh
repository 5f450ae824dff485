#!/usr/bin/env bash
# Kubernetes bind benchmark (docs/kubernetes.md): N pods created and bound through the bridge, the
# same requests sent raw (what fabric8's mock API server and HTTP cost), and gangs of 10 through
# the kubernetes backend until the last binding; all against fabric8's mock server, in-process.
# Arguments: [--pods N] (default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am -DskipTests install
./mvnw -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vigil.benchmarks.KubernetesBindBenchmark "$@"
