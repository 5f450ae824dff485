#!/usr/bin/env bash
# Checks ansible/: yamllint and ansible-lint clean, every playbook passes --syntax-check, the
# vigil_agent role applied twice to the first test host (scripts/testhosts/start.sh) changes nothing
# the second time, and the driver roles (nvidia_driver, dcgm, fabric_manager, slurmd_gres) run in check
# mode on it report what they would do. The test hosts have no GPU and their user no root (they share
# this machine's file system, which nothing here may change): the check run is the test user's, its
# package tasks ask apt, through python3-apt as on a real node, about a repository of empty stand-in
# packages built here (APT_CONFIG: sources, lists and cache of its own; the dpkg status read is the
# machine's), and slurmd_gres asks a stand-in 'vigil slurm gres-conf'.
#
#   scripts/ansible-check.sh [DISTRIBUTION]   (default: cli/target/vigil-*.tar.gz, as the build makes it)
#
# Needs ansible-core, ansible-lint, yamllint and python3-apt (Debian 12 packages). Without test hosts the converge is
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
for playbook in site.yml gpu_nodes.yml controllers.yml tests/agent_on_testhost.yml tests/drivers_on_testhost.yml; do
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

# --- the driver roles in check mode -----------------------------------------------------------------
# A stand-in apt world under $work (repository, sources, lists, APT_CONFIG) and a stand-in vigil, both
# readable by the test user; then the roles in check mode, and what each task reported.
driver_version=550.127.05
stand_in_deb() { # NAME VERSION: an empty package, as apt sees one
  local dir
  dir=$(mktemp -d -p "$work")
  mkdir -p "$dir/DEBIAN"
  printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: Vigil tests <vigil@localhost>\nDescription: empty stand-in of %s (scripts/ansible-check.sh)\n' \
    "$1" "$2" "$1" >"$dir/DEBIAN/control"
  dpkg-deb -Zgzip --root-owner-group --build "$dir" "$work/apt/repo/$1_$2_all.deb" >/dev/null
  rm -rf "$dir"
}
mkdir -p "$work/apt/repo" "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
# a newer release of the branch beside the pinned one: a pin that slips installs the newer
stand_in_deb nvidia-driver-550-server "$driver_version-0ubuntu1"
stand_in_deb nvidia-driver-550-server 550.144.03-0ubuntu1
stand_in_deb datacenter-gpu-manager 1:3.3.9
stand_in_deb nvidia-fabricmanager-550 "$driver_version-1"
stand_in_deb nvidia-fabricmanager-550 550.144.03-1
(cd "$work/apt/repo" && for deb in *.deb; do
  dpkg-deb -f "$deb"
  printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$deb" "$(stat -c %s "$deb")" "$(sha256sum "$deb" | cut -d' ' -f1)"
done >Packages)
echo "deb [trusted=yes] file:$work/apt/repo ./" >"$work/apt/sources.list"
cat >"$work/apt/apt.conf" <<CONF
Dir::Etc::sourcelist "$work/apt/sources.list";
Dir::Etc::sourceparts "$work/apt/none";
Dir::State::lists "$work/apt/lists";
Dir::Cache "$work/apt/cache";
Debug::NoLocking "true";
APT::Sandbox::User "$(id -un)";
CONF
APT_CONFIG=$work/apt/apt.conf apt-get update -q >"$work/apt-update" 2>&1 || { cat "$work/apt-update" >&2; fail "apt-get update of the stand-in repository"; }
cat >"$work/vigil" <<'VIGIL'
#!/bin/sh
# stand-in 'vigil slurm gres-conf NODE' (scripts/ansible-check.sh)
[ "$1 $2" = "slurm gres-conf" ] && [ -n "$3" ] || { echo "stand-in vigil: only 'slurm gres-conf NODE'" >&2; exit 2; }
echo "NodeName=$3 Name=gpu Type=h100 File=/dev/nvidia[0-7]"
VIGIL
chmod -R a+rX "$work"
chmod 0755 "$work/vigil"

# what the check run must not write (these exist only where the roles were applied for real)
would_write=(/etc/modprobe.d/nvidia-vigil.conf /etc/systemd/system/nvidia-dcgm.service.d /usr/share/nvidia/nvswitch/fabricmanager.cfg)
existing=$(ls -d "${would_write[@]}" 2>/dev/null || true)
say "the driver roles in check mode on $name"
# -v: each task's result as one line of JSON after its status (ansible-core has no json stdout callback)
ANSIBLE_NOCOLOR=1 ansible-playbook -v -i "$work/inventory" --check \
  -e "drivers_apt_config=$work/apt/apt.conf" -e "slurmd_gres_vigil=$work/vigil" -e "nvidia_driver_version=$driver_version" \
  tests/drivers_on_testhost.yml >"$work/drivers" || { cat "$work/drivers" >&2; fail "the check run failed"; }
python3 - "$work/drivers" "$name" "$driver_version" <<'CHECK' || { cat "$work/drivers" >&2; fail "the driver roles in check mode did not report what they would do"; }
import json, re, sys
output, host, version = open(sys.argv[1]).read().splitlines(), sys.argv[2], sys.argv[3]
results, task = {}, None
for line in output:
    header = re.match(r"(?:TASK|RUNNING HANDLER) \[(?:[a-z_]+ : )?(.*)\] \*+$", line)
    status = re.match(r"(ok|changed|skipping|failed|fatal): \[" + re.escape(host) + r"(?: -> \S+)?\](?:: [A-Z!]+)? => (\{.*\})$", line)
    if header:
        task = header.group(1)
    elif status and task:
        results[task] = dict(json.loads(status.group(2)), skipped=status.group(1) == "skipping",
                             failed=status.group(1) in ("failed", "fatal"))
would_change = ["Install the NVIDIA driver branch (Debian family)",
                "Keep the driver from being upgraded past the pinned branch by accident (Debian family)",
                "Write the module options (persistence through nvidia-persistenced, not the legacy mode)",
                "Install DCGM", "Create the unit's drop-in folder", "Restart nv-hostengine when it dies",
                "Install fabric manager at the driver's version (Debian family)", "Write the fabric manager config",
                "Write gres.conf"]
# notified, and skipped in check mode: the reboot as told (nvidia_driver_skip_reboot), the restarts
# because the units come with packages not installed
notified = ["Reboot for the new driver", "Restart DCGM", "Restart fabric manager", "Restart slurmd"]
installs = {"Install the NVIDIA driver branch (Debian family)": "Inst nvidia-driver-550-server (" + version,
            "Install fabric manager at the driver's version (Debian family)": "Inst nvidia-fabricmanager-550 (" + version}
problems = [f"{name}: {r.get('msg', r)}" for name, r in results.items() if r.get("failed") or r.get("unreachable")]
problems += [f"{name}: not reported as a change" for name in would_change if not results.get(name, {}).get("changed")]
problems += [f"handler {name}: not notified" for name in notified if name not in results]
problems += [f"{name}: apt would not install {line.split()[1]} at {version}" for name, line in installs.items()
             if line not in results.get(name, {}).get("stdout", "")]
# systemd has no unit for a package that is not installed: the services are left to the real run
services = ["Run nvidia-persistenced", "Run nv-hostengine", "Run fabric manager"] + notified
problems += [f"{name}: ran in check mode" for name in services if not results.get(name, {}).get("skipped")]
for problem in problems:
    print("ansible-check:", problem, file=sys.stderr)
print(next(line for line in output if line.startswith(host + " ")), file=sys.stderr)
sys.exit(1 if problems else 0)
CHECK
[[ $(ls -d "${would_write[@]}" 2>/dev/null || true) == "$existing" ]] || fail "the check run wrote to the machine"
say "the driver roles in check mode: each task reported what it would do, nothing written"
