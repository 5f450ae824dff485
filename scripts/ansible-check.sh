#!/usr/bin/env bash
# Checks ansible/: yamllint and ansible-lint clean, every playbook passes --syntax-check, and the
# vigil_agent role applied twice to the first test host (scripts/testhosts/start.sh) changes nothing
# the second time. The driver roles need a GPU host with root and are only linted and syntax-checked.
#
#   scripts/ansible-check.sh [DISTRIBUTION]   (default: cli/target/vigil-*.tar.gz, as the build makes it)
#
# Needs ansible-core, ansible-lint and yamllint (Debian 12 packages). Without test hosts the converge is
# skipped, saying so, unless VIGIL_REQUIRE_TESTHOSTS=1 (CI): then it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
say() { printf '%s ansible-check: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

cd ansible
say "yamllint"
yamllint --strict .
say "ansible-lint"
ansible-lint --nocolor -q
say "syntax"
for playbook in site.yml gpu_nodes.yml controllers.yml tests/agent_on_testhost.yml; do
  ansible-playbook -i localhost, --syntax-check "$playbook" >/dev/null
done

env_file=${VIGIL_TESTHOSTS_DIR:-/tmp/vigil-testhosts}/env
if [[ ! -r $env_file ]]; then
  [[ ${VIGIL_REQUIRE_TESTHOSTS:-0} == 1 ]] && fail "VIGIL_REQUIRE_TESTHOSTS=1 but the test hosts are not started"
  say "skipping the converge: test hosts not started (scripts/testhosts/start.sh)"
  exit 0
fi
# shellcheck disable=SC1090
. "$env_file"
dist=${1:-$(ls "$root"/cli/target/vigil-*.tar.gz 2>/dev/null | head -1)}
[[ -r $dist ]] || fail "no distribution: build it (./mvnw -pl cli -am package) or give its path"
version=$(basename "$dist" .tar.gz); version=${version#vigil-}
first=$(head -1 "$VIGIL_TESTHOSTS_FILE")
name=${first%% *} login=${first#* }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/inventory" <<INV
[testhosts]
$name ansible_host=${login#*@} ansible_user=${login%@*} ansible_ssh_private_key_file=$VIGIL_TESTHOSTS_KEY ansible_ssh_common_args='-o UserKnownHostsFile=$VIGIL_TESTHOSTS_KNOWN_HOSTS -o StrictHostKeyChecking=yes'
INV
extra=(-e "vigil_agent_distribution=$dist" -e "vigil_agent_version=$version"
  -e "{\"vigil_agent_controller_urls\": [\"http://$VIGIL_TESTHOSTS_GATEWAY:1\"]}" -e "vigil_agent_token=not-checked-here")
stop_agent() {
  ssh -i "$VIGIL_TESTHOSTS_KEY" -o UserKnownHostsFile="$VIGIL_TESTHOSTS_KNOWN_HOSTS" -o BatchMode=yes "$login" \
    '[ -s vigil-ansible/agent.pid ] && kill "$(cat vigil-ansible/agent.pid)"; rm -rf vigil-ansible' || true
}
stop_agent
trap 'stop_agent; rm -rf "$work"' EXIT
for run in 1 2; do
  say "vigil_agent on $name, run $run"
  ANSIBLE_NOCOLOR=1 ansible-playbook -i "$work/inventory" "${extra[@]}" tests/agent_on_testhost.yml >"$work/run$run" \
    || { cat "$work/run$run" >&2; fail "run $run failed"; }
done
recap=$(grep -E "^$name +:" "$work/run2")
[[ $recap =~ changed=0 ]] || { cat "$work/run2" >&2; fail "the second run changed something: $recap"; }
say "idempotent: $recap"
