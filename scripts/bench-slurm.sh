#!/usr/bin/env bash
# Slurm bridge benchmark (README.md, Performance): submit rates through slurmrestd and
# through sbatch, and list latencies, against the local Slurm of scripts/slurm/start-local-slurm.sh
# (start it first). Arguments: [--jobs N] [--threads T]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am -DskipTests install
./mvnw -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vigil.benchmarks.SlurmSubmitBenchmark "$@"
