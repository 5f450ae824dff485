#!/usr/bin/env bash
# Starts N test hosts for Vigil's provisioning tests and for trying `vigil provision` by hand: each
# one a network namespace with its own address and a real OpenSSH server (Debian's openssh-server).
#
#   bridge vigil-th0 (10.213.0.1/24) in the root namespace, the controller's side
#   namespace vigil-thN, veth into the bridge, 10.213.0.(10+N)/24, sshd on port 22
#   its own ed25519 host key, its own test user vigil-thN (own home: what one host installs, the
#   other hosts do not see, although the namespaces share the file system), one client key
#   authorized for all of them, and a stand-in nvidia-smi (8 GPUs, driver 550.127.05) on the PATH
#   that sshd gives the user's commands.
#
# Everything lives under $VIGIL_TESTHOSTS_DIR (default /tmp/vigil-testhosts): id_ed25519 (the client
# key), known_hosts (every host's key, for tests that do not test first contact), hosts (a hosts file
# for `vigil provision`), hostN/ (sshd_config, host key, pid file, log, bin/), home/vigil-thN.
# Needs root; installs openssh-server and iproute2 when missing. Idempotent: a host whose sshd runs
# is left alone, a missing one is started. The hosts have no systemd of their own, so `vigil
# provision install` runs the agent with --no-systemd there.
#
# On success it prints shell exports on stdout (logs go to stderr); the same are in $DIR/env:
#   VIGIL_TESTHOSTS_DIR, VIGIL_TESTHOSTS (comma list user@address), VIGIL_TESTHOSTS_FILE (hosts
#   file), VIGIL_TESTHOSTS_KEY, VIGIL_TESTHOSTS_KNOWN_HOSTS, VIGIL_TESTHOSTS_GATEWAY (the root
#   namespace's address on the bridge: where the hosts reach a controller).
#
# Knobs (environment):
#   VIGIL_TESTHOSTS_DIR    state dir (/tmp/vigil-testhosts)
#   VIGIL_TESTHOSTS_COUNT  hosts (3; 1 to 200)
#   VIGIL_TESTHOSTS_PREFIX names of the namespaces and users, PREFIXN, and the bridge, PREFIX0 (vigil-th),
#   VIGIL_TESTHOSTS_NET    and the hosts' /24 (10.213.0): a second set beside the first (one person's, one
#                          CI job's) needs its own of both, and its own VIGIL_TESTHOSTS_DIR
# Stop them with scripts/testhosts/stop.sh.
set -euo pipefail

DIR=${VIGIL_TESTHOSTS_DIR:-/tmp/vigil-testhosts}
COUNT=${VIGIL_TESTHOSTS_COUNT:-3}
PREFIX=${VIGIL_TESTHOSTS_PREFIX:-vigil-th}
BRIDGE=${PREFIX}0
NET=${VIGIL_TESTHOSTS_NET:-10.213.0}
# the host side of each veth pair (interface names: 15 characters at most)
VETH=$([[ $PREFIX == vigil-th ]] && echo vth || echo "v$PREFIX")
GATEWAY=$NET.1

say() { printf '%s testhosts: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
# running PIDFILE: the pid file names a live sshd (a reused pid is not ours)
running() {
  local pid
  [[ -s $1 ]] && pid=$(<"$1") && [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/comm ]] &&
    [[ $(<"/proc/$pid/comm") == sshd ]]
}
# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do ((SECONDS < deadline)) || return 1; sleep 0.1; done
}

[[ $(id -u) == 0 ]] || fail "run me as root (sudo): I create network namespaces, users and start sshd"
[[ $COUNT =~ ^[0-9]+$ ]] && (( COUNT >= 1 && COUNT <= 200 )) || fail "VIGIL_TESTHOSTS_COUNT=$COUNT: allowed 1 to 200"
[[ $PREFIX =~ ^[a-z][a-z0-9-]{0,9}$ ]] || fail "VIGIL_TESTHOSTS_PREFIX=$PREFIX: allowed a lower-case letter, then up to 9 letters, digits, -"
[[ $NET =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || fail "VIGIL_TESTHOSTS_NET=$NET: allowed the first three numbers of an IPv4 /24"

missing=()
[[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
command -v ip >/dev/null || missing+=(iproute2)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || fail "apt-get install ${missing[*]}"
fi
# Debian's sshd refuses to start without its privilege-separation directory.
mkdir -p /run/sshd && chmod 0755 /run/sshd

mkdir -p "$DIR/home"
chmod 0755 "$DIR" "$DIR/home"
if [[ ! -s $DIR/id_ed25519 ]]; then
  ssh-keygen -q -t ed25519 -N '' -C vigil-testhosts -f "$DIR/id_ed25519"
fi
# The tests run as the calling user: the client key is theirs.
[[ -n ${SUDO_USER:-} ]] && chown "$SUDO_USER" "$DIR/id_ed25519" "$DIR/id_ed25519.pub"

if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add "$BRIDGE" type bridge
fi
ip addr replace "$GATEWAY/24" dev "$BRIDGE"
ip link set "$BRIDGE" up

: >"$DIR/known_hosts.new"
: >"$DIR/hosts.new"
list=()
for ((n = 1; n <= COUNT; n++)); do
  ns=$PREFIX$n user=$PREFIX$n address=$NET.$((10 + n)) host=$DIR/host$n home=$DIR/home/$PREFIX$n
  mkdir -p "$host/bin"
  id -u "$user" >/dev/null 2>&1 || useradd --system --home-dir "$home" --shell /bin/bash "$user"
  # No password, but not locked either: without PAM, sshd refuses a locked account ('!') even a key.
  usermod -p '*' "$user"
  mkdir -p "$home/.ssh"
  install -m 0600 "$DIR/id_ed25519.pub" "$home/.ssh/authorized_keys"
  chown -R "$user:" "$home" && chmod 0700 "$home"
  [[ -s $host/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C "$ns" -f "$host/ssh_host_ed25519_key"

  # The stand-in nvidia-smi answers the queries `vigil provision preflight` makes, like an HGX H100.
  cat >"$host/bin/nvidia-smi" <<'SMI'
#!/bin/sh
# stand-in nvidia-smi of the Vigil test hosts: an 8-GPU H100 node, driver 550.127.05
case "$*" in
  *--query-gpu=pci.bus_id\ *)
    i=0
    while [ $i -lt 8 ]; do printf '00000000:%02X:00.0\n' $((0x18 + i * 16)); i=$((i + 1)); done ;;
  *--query-gpu=*)
    i=0
    while [ $i -lt 8 ]; do
      echo "$i, NVIDIA H100 80GB HBM3, 550.127.05, Enabled, 00000000:$(printf '%02X' $((0x18 + i * 16))):00.0"
      i=$((i + 1))
    done ;;
  *) echo "NVIDIA-SMI 550.127.05    Driver Version: 550.127.05    CUDA Version: 12.4" ;;
esac
SMI
  chmod 0755 "$host/bin/nvidia-smi"

  cat >"$host/sshd_config" <<CONF
# sshd of Vigil test host $ns (written by scripts/testhosts/start.sh)
ListenAddress $address:22
HostKey $host/ssh_host_ed25519_key
PidFile $host/sshd.pid
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $user
AuthorizedKeysFile .ssh/authorized_keys
UsePAM no
Subsystem sftp internal-sftp
SetEnv PATH=$host/bin:/usr/local/bin:/usr/bin:/bin
LogLevel VERBOSE
CONF

  if ! ip netns list | grep -qw "^$ns"; then
    ip netns add "$ns"
  fi
  if ! ip link show "$VETH$n" >/dev/null 2>&1; then
    ip link add "$VETH$n" type veth peer name eth0 netns "$ns"
    ip link set "$VETH$n" master "$BRIDGE" up
  fi
  ip -n "$ns" link set lo up
  ip -n "$ns" addr replace "$address/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route replace default via "$GATEWAY"

  if ! running "$host/sshd.pid"; then
    /usr/sbin/sshd -t -f "$host/sshd_config" || fail "$ns: sshd -t rejects $host/sshd_config"
    ip netns exec "$ns" /usr/sbin/sshd -f "$host/sshd_config" -E "$host/sshd.log"
  fi
  echo "$address $(cut -d' ' -f1,2 "$host/ssh_host_ed25519_key.pub")" >>"$DIR/known_hosts.new"
  echo "$ns $user@$address" >>"$DIR/hosts.new"
  list+=("$user@$address")
done
mv "$DIR/known_hosts.new" "$DIR/known_hosts"
mv "$DIR/hosts.new" "$DIR/hosts"

listening() { ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/22"; }
for ((n = 1; n <= COUNT; n++)); do
  wait_for 10 listening "$PREFIX$n" "$NET.$((10 + n))" || fail "$PREFIX$n: sshd does not listen (see $DIR/host$n/sshd.log)"
done

hosts=$(IFS=,; echo "${list[*]}")
{
  echo "export VIGIL_TESTHOSTS_DIR=$DIR"
  echo "export VIGIL_TESTHOSTS=$hosts"
  echo "export VIGIL_TESTHOSTS_FILE=$DIR/hosts"
  echo "export VIGIL_TESTHOSTS_KEY=$DIR/id_ed25519"
  echo "export VIGIL_TESTHOSTS_KNOWN_HOSTS=$DIR/known_hosts"
  echo "export VIGIL_TESTHOSTS_GATEWAY=$GATEWAY"
} >"$DIR/env"
chmod 0644 "$DIR/env" "$DIR/known_hosts" "$DIR/hosts"
say "$COUNT test hosts up: $hosts"
cat "$DIR/env"
