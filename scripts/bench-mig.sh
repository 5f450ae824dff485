#!/usr/bin/env bash
# vigil mig set on an idle simulated node -> seven 1g.10gb replicas running on the new slices
# (README.md, Performance). One controller and a simulated agent in one JVM, as `vigil up` runs
# them. Arguments: [--samples N] [--profile HGX_H100_8|DGX_A100_8]
set -euo pipefail
exec "$(dirname "$0")/bench-embedded.sh" MigSetBenchmark "$@"
