#!/usr/bin/env bash
# The incident loop (README.md, Performance): XID 79 under a running gang -> the gang running on
# another node, and -> the node back to ready after the gpu-fallen-off-bus runbook (drain,
# simulated reboot, health check, return). One controller and simulated agents in one JVM, as
# `vigil up` runs them. Arguments: [--nodes N] [--samples N]
set -euo pipefail
exec "$(dirname "$0")/bench-embedded.sh" IncidentLoopBenchmark "$@"
