#!/usr/bin/env bash
# Seizure-scale throughput (issue 10): N generated Android devices of about SIZE_MB each, processed
#   (a) on this node by `kanshiki batch run` with local workers (SQLite case), and
#   (b) as a Slurm job array on two loopback slurmd nodes with the PostgreSQL case store (each task: a
#       node-local SQLite case, then COPY into the store; the afterany finish job pulls the store into the case).
# Prints devices/hour, MB/s and peak memory per worker for both, the digests (they must be equal), and the
# scaling (b)/(a). Needs root, slurmctld slurmd slurm-client munge postgresql. Stops only what it started.
#   bench/slurm_store_bench.sh [N=100] [SIZE_MB=50] [MAX_PARALLEL=nproc] [OUT=/tmp/kanshiki-store-bench]
# Full size (100 × 50 MB) needs ~10 GB of disk (devices, two cases, the store) and tens of minutes: run it
# on a quiet machine.
set -euo pipefail
N=${1:-100}; SIZE_MB=${2:-50}; MAXPAR=${3:-$(nproc)}; OUT=${4:-/tmp/kanshiki-store-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K=${KANSHIKI:-$ROOT/build/release/cli/kanshiki}
rm -rf "$OUT"; mkdir -p "$OUT/scratch"
export KANSHIKI_HOME="$OUT/home" CI=1 KANSHIKI_SCRATCH="$OUT/scratch"
cleanup() { "$ROOT/scripts/slurm-loopback" stop "$OUT/slurm" || true; "$ROOT/scripts/pg-loopback" stop "$OUT/pg" || true; }
trap cleanup EXIT
"$K" examiner init --name "bench" >/dev/null
/usr/bin/python3 "$ROOT/samples/generate_samples.py" --out "$OUT/samples" >/dev/null
PAD=$(( SIZE_MB > 1 ? SIZE_MB - 1 : 0 ))
/usr/bin/python3 "$ROOT/bench/make_batch_devices.py" --samples "$OUT/samples" --count "$N" --pad-mb "$PAD" --out "$OUT/devices" >/dev/null
M="$OUT/devices/manifest.csv"

# (a) one node, local workers (one per core, bounded by memory)
"$K" case create --case "$OUT/local" >/dev/null
t0=$(date +%s.%N)
local_json=$("$K" --json batch run --case "$OUT/local" --manifest "$M" --workers "$MAXPAR")
t1=$(date +%s.%N)

# (b) two loopback Slurm nodes + PostgreSQL store
eval "$("$ROOT/scripts/pg-loopback" start "$OUT/pg")"
eval "$("$ROOT/scripts/slurm-loopback" start "$OUT/slurm" 2)"
"$K" case create --case "$OUT/slurm-case" >/dev/null
t2=$(date +%s.%N)
"$K" --json batch submit --slurm --max-parallel "$MAXPAR" --case "$OUT/slurm-case" --manifest "$M" --store "$KANSHIKI_STORE" >/dev/null
while [ "$(squeue -h 2>/dev/null | wc -l)" != 0 ]; do sleep 0.5; done
t3=$(date +%s.%N)
rss_slurm=0
for chain in "$OUT"/slurm-case/custody/devices/*/case.db; do
  r=$(sqlite3 "$chain" "SELECT json_extract(parameters, '$.worker_max_rss_kb') FROM custody WHERE action='batch device'")
  [ -n "$r" ] && [ "$r" -gt "$rss_slurm" ] && rss_slurm=$r
done
store_mb=$(psql "$KANSHIKI_STORE" -Atc "SELECT pg_database_size(current_database()) / 1048576")
d_local=$("$K" --json batch digest --case "$OUT/local")
d_slurm=$("$K" --json batch digest --case "$OUT/slurm-case")
/usr/bin/python3 - "$N" "$SIZE_MB" "$t0" "$t1" "$t2" "$t3" "$local_json" "$rss_slurm" "$d_local" "$d_slurm" "$store_mb" <<'PY'
import json, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
t0, t1, t2, t3 = map(float, sys.argv[3:7])
local, rss_slurm = json.loads(sys.argv[7]), int(sys.argv[8])
d_local, d_slurm = json.loads(sys.argv[9]), json.loads(sys.argv[10])
a, b = t1 - t0, t3 - t2
print(f"devices={n} size≈{size} MB")
print(f"local:  workers={local['workers']} seconds={a:.1f} devices/hour={n / a * 3600:.0f} MB/s={n * size / a:.1f} "
      f"max_worker_rss={local['max_worker_rss_kb'] / 1024:.0f} MiB done={local['states']['done']}")
print(f"slurm:  2 loopback nodes + PostgreSQL store seconds={b:.1f} devices/hour={n / b * 3600:.0f} "
      f"MB/s={n * size / b:.1f} max_task_rss={rss_slurm / 1024:.0f} MiB store={sys.argv[11]} MB")
print(f"scaling slurm/local = {a / b:.2f}x   digests equal: {d_local['sha256'] == d_slurm['sha256']} ({d_local['artifacts']} artifacts)")
PY
