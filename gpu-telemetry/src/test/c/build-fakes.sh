#!/usr/bin/env bash
# Compiles the fake vendor libraries the JNA bindings are tested against:
#   $1/libdcgm.so.4 from fake_dcgm.c, $1/libnvidia-ml.so.1 from fake_nvml.c.
# Without gcc it says so and builds nothing; the tests that need the fakes then skip with that reason.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v gcc >/dev/null 2>&1; then
  echo "build-fakes: gcc is not installed: the fake DCGM/NVML libraries are not built (.ci/run installs gcc)" >&2
  exit 0
fi
mkdir -p "$out"
flags=(-shared -fPIC -O2 -std=gnu11 -Wall -Wextra -Werror -pthread)
gcc "${flags[@]}" -o "$out/libdcgm.so.4" "$here/fake_dcgm.c"
gcc "${flags[@]}" -o "$out/libnvidia-ml.so.1" "$here/fake_nvml.c"
