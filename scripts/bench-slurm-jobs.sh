#!/usr/bin/env bash
# Slurm backend benchmark (README.md, Performance): N one-GPU jobs through
# POST /v1/jobs:batch (B a post) and through POST /v1/jobs one by one to RUNNING in Slurm, the same
# jobs through plain sbatch one by one, and XID 79 to DRAIN
# in sinfo, against bin/vigil controller and agents and the local Slurm of
# scripts/slurm/start-local-slurm.sh (start it first), in rounds whose order alternates.
# Arguments: [--jobs N] [--rounds R] [--xid-samples S] [--batch B (50; 1: only one by one)]
#            [--warm-up W (1): unmeasured passes of each Vigil path first]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -r ${VIGIL_SLURM_DIR:-/tmp/vigil-slurm}/env ]] || { echo "start the local Slurm first: sudo scripts/slurm/start-local-slurm.sh" >&2; exit 1; }
./vigil --version >/dev/null   # builds the distribution when it is stale
./mvnw -B -q -pl benchmarks -am -DskipTests install
./mvnw -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
dist=$(ls -d cli/target/vigil-*/vigil-*/ | head -n 1)
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vigil.benchmarks.SlurmJobsBenchmark --vigil "${dist}bin/vigil" "$@"
