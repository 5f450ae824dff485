#!/usr/bin/env bash
# Starts a real Slurm 22.05 on this one host, shaped like a small GPU cluster, for Vigil's
# integration tests and for trying the Slurm bridge by hand:
#
#   munged, slurmctld, one `slurmd -N NODE` per emulated node, slurmrestd (JWT auth),
#   NODES nodes x GPUS fake GPUs (char devices, major 195, that nothing ever opens),
#   topology/tree with two leaf switches under one spine.
#
# Everything lives under a state dir ($VIGIL_SLURM_DIR, default /tmp/vigil-slurm): config in
# etc/ (Slurm finds it through SLURM_CONF, /etc/slurm is not touched), state/, log/, run/ (pid
# files), dev/ (the fake GPUs). Needs root; installs the Debian packages it lacks. Idempotent:
# a healthy daemon is left alone, a missing one is started, a changed config restarts them all.
#
# On success it prints shell exports on stdout (logs go to stderr), so either of these works:
#   eval "$(sudo scripts/slurm/start-local-slurm.sh)"
#   sudo scripts/slurm/start-local-slurm.sh && . /tmp/vigil-slurm/env
# The same variables are in $VIGIL_SLURM_DIR/env, readable by the Slurm user only:
#   SLURM_CONF, SLURMRESTD_URL, SLURMRESTD_USER, SLURMRESTD_TOKEN (a JWT), VIGIL_SLURM_DIR.
# The token is not exported as SLURM_JWT: sbatch and srun would then authenticate with JWT,
# which slurmd does not accept, and srun inside jobs would fail.
#
# Knobs (environment):
#   VIGIL_SLURM_DIR      state dir (/tmp/vigil-slurm)
#   VIGIL_SLURM_USER     SlurmUser: slurmctld runs as this user, and it may drain and resume nodes
#                        and mint tokens; the token is for it. Default: $SUDO_USER, else root, so
#                        that `sudo start-local-slurm.sh` gives the calling user an admin's rights.
#   VIGIL_SLURM_NODES    emulated nodes, gpu01.. (4; the first half go under leaf1, the rest leaf2)
#   VIGIL_SLURM_GPUS     fake GPUs per node (8)
#   VIGIL_SLURM_GPU_TYPE GRES type (h100)
#   VIGIL_SLURM_CPUS     CPUs per node, in 2 sockets (32)
#   VIGIL_SLURM_REST_PORT slurmrestd's port on 127.0.0.1 (6820)
#   VIGIL_SLURM_FRESH=1  forget saved jobs and node state (job ids start at 1 again)
#   VIGIL_SLURM_EPILOG   a script for Slurm's Epilog= (none): run as root on the node after each job,
#                        e.g. scripts/slurm/bench-epilog.sh, which tells the node's agent the job ended
# Slurm's own ports: slurmctld 6817, slurmd 6831.. (one per node).
set -euo pipefail

DIR=${VIGIL_SLURM_DIR:-/tmp/vigil-slurm}
SLURM_USER=${VIGIL_SLURM_USER:-${SUDO_USER:-root}}
NODES=${VIGIL_SLURM_NODES:-4}
GPUS=${VIGIL_SLURM_GPUS:-8}
GPU_TYPE=${VIGIL_SLURM_GPU_TYPE:-h100}
CPUS=${VIGIL_SLURM_CPUS:-32}
REST_PORT=${VIGIL_SLURM_REST_PORT:-6820}
FRESH=${VIGIL_SLURM_FRESH:-0}
EPILOG=${VIGIL_SLURM_EPILOG:-}
CTLD_PORT=6817
SLURMD_PORT0=6830

ETC=$DIR/etc STATE=$DIR/state LOG=$DIR/log RUN=$DIR/run DEV=$DIR/dev
export SLURM_CONF=$ETC/slurm.conf
REST_URL=http://127.0.0.1:$REST_PORT

say() { printf '%s start-local-slurm: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
# running PIDFILE NAME: the pid file names a live process called NAME (a reused pid is not ours)
running() {
  local pid
  [[ -s $1 ]] && pid=$(<"$1") && [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/comm ]] &&
    [[ $(<"/proc/$pid/comm") == "$2" ]]
}
# wait_for SECONDS COMMAND...: poll every 0.2 s until COMMAND succeeds
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do ((SECONDS < deadline)) || return 1; sleep 0.2; done
}

[[ $(id -u) == 0 ]] || fail "run me as root (sudo): I install packages, create device nodes and start daemons"
(( NODES >= 2 && NODES <= 64 )) || fail "VIGIL_SLURM_NODES=$NODES: allowed 2 to 64 (two leaf switches)"
(( GPUS >= 1 && GPUS <= 16 )) || fail "VIGIL_SLURM_GPUS=$GPUS: allowed 1 to 16"
(( CPUS >= 2 && CPUS % 2 == 0 )) || fail "VIGIL_SLURM_CPUS=$CPUS: allowed an even number, 2 or more (2 sockets)"
[[ -z $EPILOG || ($EPILOG == /* && -x $EPILOG) ]] || fail "VIGIL_SLURM_EPILOG=$EPILOG: allowed an absolute path to an executable script"
id -u "$SLURM_USER" >/dev/null 2>&1 || fail "VIGIL_SLURM_USER=$SLURM_USER: no such user"
started=$SECONDS

# --- packages -----------------------------------------------------------------------------------
packages=(munge slurmctld slurmd slurm-client slurmrestd slurm-wlm-jwt-plugin curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # skip the index refresh when one ran in the last hour (CI's own apt-get update just did)
  [[ -n $(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null | head -1) ]] ||
    apt-get update -q >/dev/null
  # On a host without systemd the packages' attempts to start their services fail harmlessly.
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
release=$(dpkg-query -W -f='${Version}' slurmctld)
[[ $release == 22.05.* ]] || say "note: Slurm $release, not 22.05: the config below is written for 22.05"

# --- directories, fake GPUs, JWT key ------------------------------------------------------------
install -d -m 755 "$DIR" "$ETC" "$DEV"
install -d -m 755 -o "$SLURM_USER" "$STATE" "$STATE/ctld" "$LOG" "$RUN"
# slurmctld runs as SlurmUser: its saved state and logs must be that user's, also after a change of user
chown -R "$SLURM_USER" "$STATE/ctld"
for f in "$LOG/slurmctld.log" "$LOG/jobcomp.txt"; do [[ -e $f ]] && chown "$SLURM_USER" "$f"; done
nodes=()
for ((i = 1; i <= NODES; i++)); do
  n=$(printf 'gpu%02d' "$i"); nodes+=("$n"); install -d -m 755 "$STATE/$n"
done
# slurmd refuses a GRES File= that is not a device: mknod real char devices (major 195 is
# NVIDIA's); without them the nodes register 0 GPUs and go INVAL.
for ((g = 0; g < GPUS; g++)); do
  [[ -c $DEV/nvidia$g ]] || mknod -m 666 "$DEV/nvidia$g" c 195 "$g" ||
    fail "mknod $DEV/nvidia$g: creating device nodes needs CAP_MKNOD (a container may forbid it)"
done
if [[ ! -s $ETC/jwt.key ]]; then
  head -c 32 /dev/urandom >"$ETC/jwt.key"
fi
chown "$SLURM_USER" "$ETC/jwt.key"; chmod 600 "$ETC/jwt.key"

# --- config -------------------------------------------------------------------------------------
last=$(printf '%02d' "$NODES")
half=$((NODES / 2))
leaf1=$(printf 'gpu[01-%02d]' "$half")
leaf2=$(printf 'gpu[%02d-%02d]' $((half + 1)) "$NODES")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
{
  echo "# Written by Vigil's scripts/slurm/start-local-slurm.sh; rerun it instead of editing."
  echo "ClusterName=vigil-local"
  echo "SlurmctldHost=$(hostname -s)(127.0.0.1)"
  echo "SlurmctldPort=$CTLD_PORT"
  echo "SlurmUser=$SLURM_USER"
  echo "SlurmdUser=root"
  echo "AuthType=auth/munge"
  echo "CredType=cred/munge"
  # slurmrestd passes the callers' JWTs on to slurmctld
  echo "AuthAltTypes=auth/jwt"
  echo "AuthAltParameters=jwt_key=$ETC/jwt.key"
  echo "StateSaveLocation=$STATE/ctld"
  echo "SlurmdSpoolDir=$STATE/%n"
  echo "SlurmctldPidFile=$RUN/slurmctld.pid"
  echo "SlurmdPidFile=$RUN/slurmd-%n.pid"
  echo "SlurmctldLogFile=$LOG/slurmctld.log"
  echo "SlurmdLogFile=$LOG/slurmd-%n.log"
  # no systemd and no cgroups here: track processes through /proc, bind nothing
  echo "ProctrackType=proctrack/linuxproc"
  echo "TaskPlugin=task/none"
  echo "JobAcctGatherType=jobacct_gather/none"
  echo "AccountingStorageType=accounting_storage/none"
  echo "JobCompType=jobcomp/filetxt"
  echo "JobCompLoc=$LOG/jobcomp.txt"
  echo "MpiDefault=none"
  echo "SwitchType=switch/none"
  # the emulated CPUs and memory are what slurm.conf says, not what this host has
  echo "SlurmdParameters=config_overrides"
  echo "SelectType=select/cons_tres"
  echo "SelectTypeParameters=CR_Core"
  echo "SchedulerType=sched/backfill"
  echo "SchedulerParameters=bf_interval=2"
  echo "GresTypes=gpu"
  echo "TopologyPlugin=topology/tree"
  # every slurmd shares 127.0.0.1: no message fan-out through other nodes
  echo "TreeWidth=65533"
  echo "ReturnToService=2"
  echo "MinJobAge=300"
  echo "MaxJobCount=50000"
  echo "KillWait=2"
  echo "InactiveLimit=0"
  echo "SlurmctldTimeout=30"
  echo "SlurmdTimeout=60"
  echo "MessageTimeout=10"
  echo "MailProg=/bin/true"
  [[ -z $EPILOG ]] || echo "Epilog=$EPILOG"
  for ((i = 0; i < NODES; i++)); do
    echo "NodeName=${nodes[$i]} NodeHostname=${nodes[$i]} NodeAddr=127.0.0.1 Port=$((SLURMD_PORT0 + i + 1))" \
      "Sockets=2 CoresPerSocket=$((CPUS / 2)) ThreadsPerCore=1 RealMemory=256000 Gres=gpu:$GPU_TYPE:$GPUS State=UNKNOWN"
  done
  echo "PartitionName=gpu Nodes=gpu[01-$last] Default=YES MaxTime=INFINITE State=UP"
} >"$tmp/slurm.conf"
# One line per GPU, as `vigil slurm gres-conf` writes them: the first half of the GPUs sit on
# socket 0, the rest on socket 1 (Cores= are Slurm's logical core ids), NVLink all to all.
{
  echo "# Written by Vigil's scripts/slurm/start-local-slurm.sh; rerun it instead of editing."
  echo "AutoDetect=off"
  per_socket=$((CPUS / 2))
  for ((g = 0; g < GPUS; g++)); do
    if ((g < (GPUS + 1) / 2)); then cores="0-$((per_socket - 1))"; else cores="$per_socket-$((CPUS - 1))"; fi
    links=()
    for ((p = 0; p < GPUS; p++)); do if ((p == g)); then links+=(-1); else links+=(18); fi; done
    echo "NodeName=gpu[01-$last] Name=gpu Type=$GPU_TYPE File=$DEV/nvidia$g Cores=$cores Links=$(IFS=,; echo "${links[*]}")"
  done
} >"$tmp/gres.conf"
{
  echo "# Written by Vigil's scripts/slurm/start-local-slurm.sh; rerun it instead of editing."
  echo "SwitchName=leaf1 Nodes=$leaf1"
  echo "SwitchName=leaf2 Nodes=$leaf2"
  echo "SwitchName=spine Switches=leaf[1-2]"
} >"$tmp/topology.conf"

changed=0
for f in slurm.conf gres.conf topology.conf; do
  if ! cmp -s "$tmp/$f" "$ETC/$f"; then install -m 644 "$tmp/$f" "$ETC/$f"; changed=1; fi
done

# stop PIDFILE NAME...: SIGTERM the live ones, wait for them to go (pairs of arguments)
stop() {
  local pids=() pid
  while (($#)); do
    if running "$1" "$2"; then pid=$(<"$1"); kill -TERM "$pid" && pids+=("$pid"); fi
    shift 2
  done
  for pid in "${pids[@]}"; do
    wait_for 30 bash -c "! kill -0 $pid" || fail "pid $pid did not stop within 30 s"
  done
}
# Slurm 22.05 takes node, GRES and topology changes only at start ('scontrol reconfigure' is
# not enough), so a changed config restarts everything; saved jobs survive it.
if ((changed)) && running "$RUN/slurmctld.pid" slurmctld; then
  say "config changed: restarting the daemons"
  args=("$RUN/slurmrestd.pid" slurmrestd)
  for n in "${nodes[@]}"; do args+=("$RUN/slurmd-$n.pid" slurmd); done
  stop "${args[@]}"
  stop "$RUN/slurmctld.pid" slurmctld
fi

# --- munge --------------------------------------------------------------------------------------
munge_works() { munge -n | unmunge; }
if ! munge_works >/dev/null 2>&1; then
  [[ -s /etc/munge/munge.key ]] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
  install -d -o munge -g munge -m 755 /run/munge
  say "starting munged"
  runuser -u munge -- /usr/sbin/munged
  touch "$RUN/munged.started-here"   # the stop script stops only a munged started here
  wait_for 10 munge_works || fail "munged does not answer (see /var/log/munge/munged.log)"
fi

# --- slurmctld ----------------------------------------------------------------------------------
ctld_up() { scontrol ping | grep -q 'is UP'; }
if ! running "$RUN/slurmctld.pid" slurmctld; then
  if [[ $FRESH == 1 ]]; then
    say "VIGIL_SLURM_FRESH=1: forgetting saved jobs and node state"
    rm -rf "${STATE:?}/ctld/"* "$LOG/jobcomp.txt"
  fi
  say "starting slurmctld (as $SLURM_USER)"
  slurmctld -i      # -i: start even if saved state cannot be read; daemonizes
  wait_for 30 ctld_up || { tail -5 "$LOG/slurmctld.log" >&2; fail "slurmctld is not up (log: $LOG/slurmctld.log)"; }
fi

# --- slurmd per node ----------------------------------------------------------------------------
new_slurmds=()
for n in "${nodes[@]}"; do
  if ! running "$RUN/slurmd-$n.pid" slurmd; then
    say "starting slurmd -N $n"
    slurmd -N "$n"   # Debian builds Slurm with multiple-slurmd support: -N picks NodeName and Port
    new_slurmds+=("$n")
  fi
done

# --- slurmrestd ---------------------------------------------------------------------------------
rest_listen=127.0.0.1:$REST_PORT
rest_plugins=openapi/v0.0.38,openapi/v0.0.37,openapi/v0.0.36
rest_args="$rest_listen $rest_plugins MALLOC_ARENA_MAX=2 cwd=$LOG"   # how it runs; a change restarts it
if running "$RUN/slurmrestd.pid" slurmrestd && [[ $(cat "$RUN/slurmrestd.args" 2>/dev/null) != "$rest_args" ]]; then
  stop "$RUN/slurmrestd.pid" slurmrestd
fi
if ! running "$RUN/slurmrestd.pid" slurmrestd; then
  say "starting slurmrestd on 127.0.0.1:$REST_PORT"
  # It refuses to run as root or SlurmUser, so it runs as nobody. SLURM_JWT=daemon makes it talk
  # to slurmctld with each caller's token; without slurmdbd only the slurm (not slurmdb) plugins load.
  # MALLOC_ARENA_MAX=2: serving ~800 jobs (3 MB of JSON) over and over, its threads' malloc arenas
  # grew it to ~740 MB; with two arenas it levels off near 100 MB.
  # It runs in the log dir: it calls getcwd() on a job submit and exits when its directory is gone
  # (the caller's cwd, say a test's temporary directory, deleted later).
  (cd "$LOG" && MALLOC_ARENA_MAX=2 SLURM_JWT=daemon exec setsid slurmrestd -a rest_auth/jwt -u nobody \
    -s "$rest_plugins" "$rest_listen" </dev/null >>"$LOG/slurmrestd.log" 2>&1) &
  echo $! >"$RUN/slurmrestd.pid"
  echo "$rest_args" >"$RUN/slurmrestd.args"
fi

# --- ready: every node idle (or busy) with its GPUs, REST answering -----------------------------
# A restarted node first shows its saved state; wait until each new slurmd has registered.
registered() {
  local n
  for n in "${new_slurmds[@]}"; do
    scontrol -o show node "$n" | grep -q 'SlurmdStartTime=None' && return 1
  done
  local states; states=$(sinfo -h -N -o '%N %t' | sort -u)
  [[ $(wc -l <<<"$states") == "$NODES" ]] && ! grep -qvE ' (idle|mix|alloc|drain|drng|drained|comp)$' <<<"$states"
}
wait_for 60 registered || { sinfo -N -l >&2; fail "nodes did not register within 60 s (logs: $LOG/slurmd-*.log)"; }
# A node drained by Slurm before this start (e.g. 'gres/gpu count too low' while the devices were
# missing) would stay drained across restarts; nodes whose slurmd started now begin clean.
for n in "${new_slurmds[@]}"; do
  reason=$(sinfo -h -n "$n" -o '%t %E')
  if [[ $reason == drain* ]]; then
    say "resuming $n (it was ${reason})"
    scontrol update nodename="$n" state=resume
  fi
done
token=$(scontrol token username="$SLURM_USER" lifespan=86400 | sed -n 's/^SLURM_JWT=//p')
[[ -n $token ]] || fail "scontrol token gave no token (is AuthAltTypes=auth/jwt in $SLURM_CONF?)"
rest_up() {
  [[ $(curl -s -o /dev/null -w '%{http_code}' -H "X-SLURM-USER-NAME: $SLURM_USER" \
      -H "X-SLURM-USER-TOKEN: $token" "$REST_URL/slurm/v0.0.38/ping") == 200 ]]
}
wait_for 20 rest_up || { tail -5 "$LOG/slurmrestd.log" >&2; fail "slurmrestd does not answer at $REST_URL (log: $LOG/slurmrestd.log)"; }
# the answer must come from ours, not from another process on the port
running "$RUN/slurmrestd.pid" slurmrestd ||
  { tail -3 "$LOG/slurmrestd.log" >&2; fail "slurmrestd exited; something else serves $REST_URL (VIGIL_SLURM_REST_PORT picks another port)"; }

exports="export SLURM_CONF=$SLURM_CONF
export SLURMRESTD_URL=$REST_URL
export SLURMRESTD_USER=$SLURM_USER
export SLURMRESTD_TOKEN=$token
export VIGIL_SLURM_DIR=$DIR"
(umask 077; echo "$exports" >"$DIR/env")
chown "$SLURM_USER" "$DIR/env"
say "ready in $((SECONDS - started)) s: $NODES nodes x $GPUS GPUs (leaf1 $leaf1, leaf2 $leaf2), REST $REST_URL as $SLURM_USER"
echo "$exports"
