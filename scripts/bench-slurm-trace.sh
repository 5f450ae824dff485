#!/usr/bin/env bash
# Slurm's own scheduler as the measured peer (README.md, Performance): a time-compressed slice of a
# public GPU trace replayed on the local Slurm (scripts/slurm/start-local-slurm.sh: 4 nodes x 8 GPUs,
# leaf1 = gpu01-02, leaf2 = gpu03-04), once through plain sbatch (priority + sched/backfill +
# select/cons_tres + topology/tree, --switches=1 for gangs) and once through Vigil's slurm backend
# (bin/vigil controller and four simulated agents), compared from Slurm's own records
# (jobcomp/filetxt: Slurm's start and end times, whole seconds, and node lists).
#
#   scripts/bench-slurm-trace.sh TRACE.csv [--jobs 300] [--offset 2000] [--span 240] [--max-run 60]
#                                          [--switch-wait 30] [--short]
#
# TRACE.csv: Alibaba's 2023 pod list (/work/shared/traces/alibaba-openb-2023/openb_pod_list_default.csv;
# read in place, never copied). The GPU pods from row --offset on, in creation order, --jobs of them:
#   - arrivals compressed so the slice's first to last arrival takes --span wall seconds;
#   - each runs `sleep` for its trace duration compressed alike, at least 1 s, at most --max-run s
#     (the trace's tail runs for weeks); the time limit is that, x1.5, in Slurm's whole minutes;
#   - num_gpu GPUs on one node (a fraction of a GPU takes a whole one); the trace has no multi-node
#     tasks, so an 8-GPU pod is replayed as a 2-node x 8-GPU gang: the "gangs" below are those.
# --short: 16 jobs (one gang) over 20 s, runs up to 10 s (a CI check that it works, not its numbers).
#
# Measured per path, from the job's arrival (when the script handed it in) to Slurm's times:
# average and p95 job completion time (arrival to end), p95 queueing (arrival to start), GPU
# allocation (GPU-seconds run / 32 GPUs x the first arrival to the last end) and gangs on one leaf.
# Slurm's time limits are whole minutes and backfill plans in them (bf_resolution 60 s): at this
# compression nearly every job has a 1-2 minute limit, so backfill is close to blind; say so with
# the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 && -r $1 ]] || { echo "usage: $0 TRACE.csv [--jobs N] [--offset N] [--span S] [--max-run S] [--switch-wait S] [--short]" >&2; exit 2; }
[[ -r ${VIGIL_SLURM_DIR:-/tmp/vigil-slurm}/env ]] || { echo "start the local Slurm first: sudo scripts/slurm/start-local-slurm.sh" >&2; exit 1; }
# builds the distribution when it is stale (its JVM's class-archive chatter goes to the log, not here)
build_log=$(mktemp); ./vigil --version >/dev/null 2>"$build_log" || { cat "$build_log" >&2; exit 1; }; rm -f "$build_log"
dist=$(ls -d cli/target/vigil-*/vigil-*/ | head -n 1)
exec python3 - "${dist}bin/vigil" "$@" <<'PY'
import csv, http.client, json, math, os, socket, subprocess, sys, tempfile, time
from datetime import datetime

vigil, trace, args = sys.argv[1], sys.argv[2], sys.argv[3:]
def opt(name, default):
    return type(default)(args[args.index(name) + 1]) if name in args else default
short = "--short" in args
jobs_wanted = opt("--jobs", 16 if short else 300)
offset = opt("--offset", 2000)
span = opt("--span", 20.0 if short else 240.0)
max_run = opt("--max-run", 10.0 if short else 60.0)
switch_wait = opt("--switch-wait", 30)
slurm_dir = os.environ.get("VIGIL_SLURM_DIR", "/tmp/vigil-slurm")
env = dict(l.replace("export ", "", 1).strip().split("=", 1) for l in open(f"{slurm_dir}/env") if "=" in l)
slurm_env = dict(os.environ, SLURM_CONF=env["SLURM_CONF"]); slurm_env.pop("SLURM_JWT", None)
NODES = ["gpu01", "gpu02", "gpu03", "gpu04"]
LEAF = {"gpu01": "leaf1", "gpu02": "leaf1", "gpu03": "leaf2", "gpu04": "leaf2"}
run = format(int(time.time()) % 10**8, "x")
began = time.time()

# --- the slice ---
rows = [r for r in csv.DictReader(open(trace)) if int(r["num_gpu"]) > 0]
rows.sort(key=lambda r: (int(r["creation_time"]), r["name"]))
rows = rows[offset:offset + jobs_wanted]
if len(rows) < jobs_wanted:
    sys.exit(f"{trace}: only {len(rows)} GPU pods from row {offset}")
t0 = int(rows[0]["creation_time"])
trace_span = max(1, int(rows[-1]["creation_time"]) - t0)
factor = trace_span / span           # trace seconds per wall second
jobs = []
for i, r in enumerate(rows):
    gpus = int(r["num_gpu"]) if int(r["gpu_milli"]) >= 1000 else 1
    run_s = min(max_run, max(1.0, (int(r["deletion_time"]) - int(r["creation_time"])) / factor))
    jobs.append({"i": i, "at": (int(r["creation_time"]) - t0) / factor, "gpus": 16 if gpus == 8 else gpus,
                 "nodes": 2 if gpus == 8 else 1, "run": round(run_s, 1), "limit": max(1, math.ceil(run_s * 1.5 / 60))})
gangs = sum(j["nodes"] == 2 for j in jobs)
print(f"trace {os.path.basename(trace)}: GPU pods {offset}..{offset + len(jobs) - 1}, {trace_span / 3600:.1f} trace hours "
      f"-> {span:.0f} s (1 s = {factor / 60:.0f} trace minutes); runs 1..{max_run:.0f} s (capped: "
      f"{sum(j['run'] >= max_run for j in jobs)} jobs); {gangs} gangs (8-GPU pods as 2 x 8); time limits "
      f"{min(j['limit'] for j in jobs)}-{max(j['limit'] for j in jobs)} min; GPU-seconds asked "
      f"{sum(j['gpus'] * j['run'] for j in jobs):.0f} (32 GPUs x {span:.0f} s = {32 * span:.0f})", flush=True)

def sh(*cmd):
    return subprocess.run(cmd, env=slurm_env, check=True, capture_output=True, text=True).stdout

def replay(submit):
    """Hands each job in at its compressed arrival; returns {name: arrival wall time}."""
    start, arrived, late = time.time() + 1, {}, 0.0
    for j in jobs:
        wait = start + j["at"] - time.time()
        if wait > 0:
            time.sleep(wait)
        late = max(late, -wait)
        arrived[submit(j)] = time.time()
    print(f"  handed in {len(jobs)} jobs; the latest handed in {late:.1f} s after its arrival", flush=True)
    return arrived

def await_done(prefix, count, limit):
    deadline = time.time() + limit
    while time.time() < deadline:
        out = sh("squeue", "-h", "-o", "%j")
        if not any(l.startswith(prefix) for l in out.split()) and len(records(prefix)) >= count:
            return
        time.sleep(2)
    sys.exit(f"{prefix}: not all {count} jobs ended within {limit} s")

def records(prefix):
    found = {}
    for line in open(f"{slurm_dir}/log/jobcomp.txt"):
        f = dict(p.split("=", 1) for p in line.split() if "=" in p)
        if f.get("Name", "").startswith(prefix):
            found[f["Name"]] = f
    return found

def ts(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").timestamp()

def hosts(nodelist):
    out = sh("scontrol", "show", "hostnames", nodelist) if "[" in nodelist else nodelist
    return out.split()

def measure(path, prefix, arrived):
    recs = records(prefix)
    jct, wait, gpu_s, one_leaf, gangs_seen, states = [], [], 0.0, 0, 0, {}
    ends = []
    for name, at in arrived.items():
        f = recs[name]
        start, end = ts(f["StartTime"]), ts(f["EndTime"])
        j = jobs[int(name.rsplit("-", 1)[1])]
        states[f["JobState"]] = states.get(f["JobState"], 0) + 1
        # Slurm's times are whole seconds: an arrival counts from its second
        jct.append(end - math.floor(at)); wait.append(max(0.0, start - math.floor(at))); ends.append(end)
        gpu_s += j["gpus"] * (end - start)
        if j["nodes"] > 1:
            gangs_seen += 1
            one_leaf += len({LEAF[h] for h in hosts(f["NodeList"])}) == 1
    p95 = lambda xs: sorted(xs)[min(len(xs) - 1, int(len(xs) * 0.95))]
    makespan = max(ends) - math.floor(min(arrived.values()))
    return {"path": path, "avg_jct": sum(jct) / len(jct), "p95_jct": p95(jct), "p95_wait": p95(wait),
            "alloc": 100 * gpu_s / (32 * makespan), "makespan": makespan, "one_leaf": one_leaf, "gangs": gangs_seen,
            "states": states}

def sbatch(j):
    name = f"trace-s-{run}-{j['i']}"
    cmd = ["sbatch", "--parsable", f"--job-name={name}", f"--nodes={j['nodes']}",
           f"--gpus-per-node={j['gpus'] // j['nodes']}", f"--time={j['limit']}", "--chdir=/tmp", "--output=/dev/null",
           "--no-requeue"]
    if j["nodes"] > 1:
        cmd += ["--exclusive", f"--switches=1@0:{switch_wait}"]
    sh(*cmd, "--wrap", f"sleep {j['run']}")
    return name

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

def via_vigil():
    d = tempfile.mkdtemp(prefix="vigil-bench-slurm-trace-")
    port = free_port()
    open(f"{d}/controller.yaml", "w").write(f"""member: bench
listen: 127.0.0.1:{port}
dataDir: {d}/data
cluster: {{members: [{{name: bench, address: "127.0.0.1:{free_port()}"}}], communicationPort: {free_port()}}}
scheduler:
  interval: 500ms
  backend: slurm
  policy: {{localityWait: {switch_wait}s}}
fabric:
  spines:
    - name: spine
      leaves:
        - {{name: leaf1, nodes: ["gpu[01-02]"]}}
        - {{name: leaf2, nodes: ["gpu[03-04]"]}}
slurm:
  connection: {{url: "{env['SLURMRESTD_URL']}", user: {env['SLURMRESTD_USER']}, token: "{env['SLURMRESTD_TOKEN']}", timeout: 30s,
               commandEnvironment: {{SLURM_CONF: "{env['SLURM_CONF']}"}}}}
  poll: 500ms
  workingDirectory: /tmp
  output: /dev/null
""")
    procs = [subprocess.Popen([vigil, "controller", "-c", f"{d}/controller.yaml"], stdout=open(f"{d}/controller.log", "w"),
                              stderr=subprocess.STDOUT)]
    try:
        conn = None
        for _ in range(600):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30); conn.request("GET", "/readyz")
                if conn.getresponse().status == 200: break
            except OSError:
                pass
            time.sleep(0.2)
        admin = open(f"{d}/data/admin.token").read().strip()
        for k, node in enumerate(NODES):   # 9401.. as in the jobs benchmark: scripts/slurm/bench-epilog.sh finds them there
            open(f"{d}/{node}.yaml", "w").write(f"""node: {node}
listen: 127.0.0.1:{9401 + k}
backend: simulated
simulated: {{profile: hgx-h100-8, seed: {k + 1}}}
controller: {{urls: ["http://127.0.0.1:{port}"], tokenFile: {d}/data/agent.token}}
""")
            procs.append(subprocess.Popen([vigil, "agent", "-c", f"{d}/{node}.yaml"], stdout=open(f"{d}/{node}.log", "w"),
                                          stderr=subprocess.STDOUT))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        def call(method, path, body=None):
            conn.request(method, path, body=None if body is None else json.dumps(body),
                         headers={"Authorization": f"Bearer {admin}", "Content-Type": "application/json"})
            r = conn.getresponse(); return r.status, r.read()
        for _ in range(600):
            ready = [json.loads(b) for s, b in (call("GET", f"/v1/nodes/{n}") for n in NODES) if s == 200]
            if sum(r["state"] == "ready" and "state" in r.get("execution", {}) for r in ready) == len(NODES): break
            time.sleep(0.5)
        else:
            sys.exit(f"the 4 nodes were not ready in Vigil (logs in {d})")
        print(f"  controller and 4 agents up (logs in {d})", flush=True)
        def post(j):
            name = f"trace-v-{run}-{j['i']}"
            status, body = call("POST", "/v1/jobs", {"name": name, "gpus": j["gpus"], "runtimeLimit": f"{j['limit']}m",
                                                     "command": ["sleep", str(j["run"])]})
            if status != 201:
                sys.exit(f"POST /v1/jobs answered {status}: {body[:300]}")
            return name
        arrived = replay(post)
        await_done(f"trace-v-{run}-", len(jobs), 1800)
        return arrived
    finally:
        for p in procs: p.terminate()
        for p in procs: p.wait(30)

def await_idle():
    while sh("squeue", "-h", "-o", "%i").strip():
        time.sleep(1)

load = lambda: open("/proc/loadavg").read().split()[0]
print(f"sbatch (load {load()}):", flush=True)
await_idle()
s_arrived = replay(sbatch)
await_done(f"trace-s-{run}-", len(jobs), 1800)
s = measure("plain sbatch (backfill, --switches=1)", f"trace-s-{run}-", s_arrived)
print(f"Vigil (load {load()}):", flush=True)
await_idle()
v = measure("Vigil, slurm backend", f"trace-v-{run}-", via_vigil())
print(f"load at the end {load()}; run {run}; the replay took {time.time() - began:.0f} s\n")
print("| path | average JCT | p95 JCT | p95 queueing | GPU allocation | gangs on one leaf | end states |")
print("|---|---|---|---|---|---|---|")
for m in (s, v):
    print(f"| {m['path']} | {m['avg_jct']:.1f} s | {m['p95_jct']:.0f} s | {m['p95_wait']:.0f} s | {m['alloc']:.0f} % "
          f"(over {m['makespan']:.0f} s) | {m['one_leaf']}/{m['gangs']} | "
          + ", ".join(f"{k.lower()} {n}" for k, n in sorted(m["states"].items())) + " |")
PY
