#!/usr/bin/env bash
# vigil provision install on N test hosts (default 8), sequential (--parallel 1) against parallel
# (--parallel N), and preflight's time per host. Each run ends when the controller shows every node
# ready. Needs root (it starts the test hosts) and the built distribution (./mvnw -pl cli -am package).
#
#   sudo scripts/bench-provision-install.sh [HOSTS]
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-8}
dist=$(ls "$PWD"/cli/target/vigil-*.tar.gz | head -1)
home=$PWD/cli/target/$(basename "$dist" .tar.gz)/$(basename "$dist" .tar.gz)
vigil=$home/bin/vigil
work=$(mktemp -d)
VIGIL_TESTHOSTS_COUNT=$hosts scripts/testhosts/start.sh >"$work/env"
. "$work/env"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])')
cat >"$work/controller.yaml" <<YAML
member: bench
listen: "$VIGIL_TESTHOSTS_GATEWAY:$port"
dataDir: $work/data
cluster:
  members: [{name: bench, address: "127.0.0.1:$((port + 1))"}]
  persistence: false
YAML
"$vigil" controller -c "$work/controller.yaml" >"$work/controller.log" 2>&1 &
controller=$!
cleanup() {
  for login in ${VIGIL_TESTHOSTS//,/ }; do
    ssh -i "$VIGIL_TESTHOSTS_KEY" -o UserKnownHostsFile="$VIGIL_TESTHOSTS_KNOWN_HOSTS" -o BatchMode=yes "$login" \
      '[ -s vigil-bench/agent.pid ] && kill "$(cat vigil-bench/agent.pid)"; rm -rf vigil-bench' || true
  done
  kill "$controller" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 300); do [[ -s $work/data/agent.token ]] && curl -fs "http://$VIGIL_TESTHOSTS_GATEWAY:$port/readyz" >/dev/null && break; sleep 0.2; done
common=(-i "$VIGIL_TESTHOSTS_KEY" --known-hosts "$VIGIL_TESTHOSTS_KNOWN_HOSTS")
start=$(date +%s.%N)
"$vigil" provision preflight "$VIGIL_TESTHOSTS_FILE" "${common[@]}" --parallel 1 >/dev/null 2>&1 || true
end=$(date +%s.%N)
echo "preflight, sequential: $(echo "($end - $start) / $hosts" | bc -l | cut -c1-5) s per host"
install=(provision install "$VIGIL_TESTHOSTS_FILE" "${common[@]}" --distribution "$dist"
  --controller "http://$VIGIL_TESTHOSTS_GATEWAY:$port" --agent-token-file "$work/data/agent.token"
  --token "$(cat "$work/data/admin.token")" --prefix vigil-bench --backend simulated --no-systemd --ready-timeout 3m)
for parallel in 1 "$hosts"; do
  # a fresh start each time: no release on the hosts yet, no agent running
  for login in ${VIGIL_TESTHOSTS//,/ }; do
    ssh -i "$VIGIL_TESTHOSTS_KEY" -o UserKnownHostsFile="$VIGIL_TESTHOSTS_KNOWN_HOSTS" -o BatchMode=yes "$login" \
      '[ -s vigil-bench/agent.pid ] && kill "$(cat vigil-bench/agent.pid)"; rm -rf vigil-bench' || true
  done
  start=$(date +%s.%N)
  "$vigil" "${install[@]}" --parallel "$parallel" 2>/dev/null | tail -1
  end=$(date +%s.%N)
  echo "install on $hosts hosts, --parallel $parallel: $(echo "$end - $start" | bc -l | cut -c1-5) s"
done
