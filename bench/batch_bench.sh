#!/usr/bin/env bash
# Batch throughput (issue 10): N generated Android devices of about SIZE_MB each, processed into one case by
# `kanshiki batch run` with W local workers. Prints devices/hour, total seconds and the largest worker RSS.
#   bench/batch_bench.sh [N=100] [SIZE_MB=50] [WORKERS=auto] [OUT=/tmp/kanshiki-batch-bench]
# The issue's full size (100 × 50 MB) needs ~5 GB of disk and tens of minutes; run it on a quiet machine.
set -euo pipefail
N=${1:-100}; SIZE_MB=${2:-50}; WORKERS=${3:-0}; OUT=${4:-/tmp/kanshiki-batch-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K=${KANSHIKI:-$ROOT/build/release/cli/kanshiki}
rm -rf "$OUT"; mkdir -p "$OUT"
export KANSHIKI_HOME="$OUT/home" CI=1
"$K" examiner init --name "bench" >/dev/null
/usr/bin/python3 "$ROOT/samples/generate_samples.py" --out "$OUT/samples" >/dev/null
# The sample device is ~1 MB; the rest of each device is incompressible media (hashed, not parsed).
PAD=$(( SIZE_MB > 1 ? SIZE_MB - 1 : 0 ))
/usr/bin/python3 "$ROOT/bench/make_batch_devices.py" --samples "$OUT/samples" --count "$N" --pad-mb "$PAD" --out "$OUT/devices"
"$K" case create --case "$OUT/case" >/dev/null
start=$(date +%s.%N)
summary=$("$K" --json batch run --case "$OUT/case" --manifest "$OUT/devices/manifest.csv" --workers "$WORKERS")
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc -l)
echo "$summary"
python3 - "$N" "$SIZE_MB" "$secs" "$summary" <<'PY'
import json, sys
n, size, secs, summary = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4])
print(f"devices={n} size≈{size} MB workers={summary['workers']} seconds={secs:.1f} "
      f"devices/hour={n / secs * 3600:.0f} MB/s={n * size / secs:.1f} max_worker_rss={summary['max_worker_rss_kb'] / 1024:.0f} MiB "
      f"done={summary['states']['done']} failed={summary['states']['failed']}")
PY
