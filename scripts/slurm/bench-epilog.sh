#!/usr/bin/env bash
# Slurm's epilog for the benchmarks (start-local-slurm.sh with VIGIL_SLURM_EPILOG=this path):
# tells the node's agent that the job ended, as `vigil agent gate --epilog` does after its check,
# without the gate's JVM start (about 1 s of CPU a job on a 2-vCPU machine). The benchmarks'
# agents listen on 127.0.0.1:9400 + the node's number (gpu01 on 9401). While the benchmark runs
# plain sbatch it leaves bench-epilog-off in the Slurm directory: Slurm then runs as without Vigil.
# Always exits 0: a failing epilog would drain the node.
[[ -e ${SLURM_CONF%/etc/*}/bench-epilog-off ]] && exit 0
n=${SLURMD_NODENAME#gpu}
curl -s -o /dev/null -m 3 -X POST "http://127.0.0.1:$((9400 + 10#$n))/v1/slurm/jobs/$SLURM_JOB_ID/ended" || true
exit 0
