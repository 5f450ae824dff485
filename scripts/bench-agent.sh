#!/usr/bin/env bash
# Agent process benchmark (README, Performance): CPU share, RSS and /metrics latency of
# bin/vigil agent with 8 simulated GPUs sampled every second. Arguments: [--warmup S] [--seconds S]
set -euo pipefail
cd "$(dirname "$0")/.."
./vigil --version >/dev/null   # builds the distribution when it is stale
./mvnw -B -q -pl benchmarks -am -DskipTests package
dist=$(ls -d cli/target/vigil-*/vigil-*/ | head -n 1)
exec java -cp benchmarks/target/classes dev.vigil.benchmarks.AgentProcessBenchmark --vigil "${dist}bin/vigil" "$@"
