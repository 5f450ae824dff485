#!/usr/bin/env bash
# Stops what scripts/testhosts/start.sh started: each test host's sshd and what runs in its
# namespace (an agent that `vigil provision install` started), the namespaces, the bridge and the
# test users (those of VIGIL_TESTHOSTS_PREFIX, as start.sh). Keeps $VIGIL_TESTHOSTS_DIR's keys unless VIGIL_TESTHOSTS_FORGET=1 (then removes the dir).
set -euo pipefail

DIR=${VIGIL_TESTHOSTS_DIR:-/tmp/vigil-testhosts}
PREFIX=${VIGIL_TESTHOSTS_PREFIX:-vigil-th}
VETH=$([[ $PREFIX == vigil-th ]] && echo vth || echo "v$PREFIX")
say() { printf '%s testhosts: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
[[ $(id -u) == 0 ]] || { say "FAILED: run me as root (sudo)"; exit 1; }

for ns in $(ip netns list | awk '$1 ~ "^'"$PREFIX"'[0-9]+$" {print $1}'); do
  pids=$(ip netns pids "$ns" || true)
  [[ -n $pids ]] && kill $pids 2>/dev/null || true
  for _ in $(seq 50); do [[ -z $(ip netns pids "$ns" 2>/dev/null) ]] && break; sleep 0.1; done
  pids=$(ip netns pids "$ns" || true)
  [[ -n $pids ]] && kill -9 $pids 2>/dev/null || true
  ip netns delete "$ns"
  n=${ns#"$PREFIX"}
  ip link delete "$VETH$n" 2>/dev/null || true
  id -u "$ns" >/dev/null 2>&1 && userdel "$ns"
  say "stopped $ns"
done
ip link delete "${PREFIX}0" 2>/dev/null || true
rm -f "$DIR/env"
[[ ${VIGIL_TESTHOSTS_FORGET:-0} == 1 ]] && rm -rf "$DIR"
exit 0
