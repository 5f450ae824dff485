#!/usr/bin/env bash
# Stops what start-local-slurm.sh started: slurmrestd, the slurmds, slurmctld, and munged when
# that script started it. Only processes named in its pid files are signalled (SIGTERM, then
# SIGKILL after 20 s). Running jobs are not saved from this: their slurmstepds end with them.
#
# Usage: sudo scripts/slurm/stop-local-slurm.sh [--purge]
#   --purge  also delete the state dir ($VIGIL_SLURM_DIR, default /tmp/vigil-slurm)
set -uo pipefail

DIR=${VIGIL_SLURM_DIR:-/tmp/vigil-slurm}
RUN=$DIR/run
say() { printf '%s stop-local-slurm: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
[[ $(id -u) == 0 ]] || { say "run me as root (sudo)"; exit 1; }

# halt PIDFILE NAME...: SIGTERM each live NAME, wait, SIGKILL what is left (pairs of arguments)
halt() {
  local pids=() pid
  while (($#)); do
    if [[ -s $1 ]]; then
      pid=$(<"$1")
      if [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/comm && $(<"/proc/$pid/comm") == "$2" ]]; then
        say "stopping $2 (pid $pid)"
        kill -TERM "$pid" && pids+=("$pid")
      fi
      rm -f "$1"
    fi
    shift 2
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then say "pid $pid is still there after 20 s: SIGKILL"; kill -KILL "$pid"; fi
  done
}

args=("$RUN/slurmrestd.pid" slurmrestd)
for f in "$RUN"/slurmd-*.pid; do [[ -e $f ]] && args+=("$f" slurmd); done
halt "${args[@]}"
halt "$RUN/slurmctld.pid" slurmctld
if [[ -e $RUN/munged.started-here ]]; then
  halt /run/munge/munged.pid munged
  rm -f "$RUN/munged.started-here"
fi
if [[ ${1:-} == --purge ]]; then
  say "deleting $DIR"
  rm -rf "$DIR"
fi
say "stopped"
