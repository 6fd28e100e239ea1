#!/usr/bin/env bash
# Per-file cost of sandboxed parsing (docs/sandbox.md): N tiny EXIF JPEGs in DCIM/, ingested once, then
# `process` sandboxed and `--no-sandbox` on copies of the same case. Prints one JSON line.
# Usage: bench/bench_sandbox_files.sh [N=2000]   (env: BENCH_DIR, default /tmp/kanshiki-bench-sandbox)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000}"
BENCH_DIR="${BENCH_DIR:-/tmp/kanshiki-bench-sandbox}"
K="$PWD/build/release/cli/kanshiki"
rm -rf "$BENCH_DIR" && mkdir -p "$BENCH_DIR/ev/DCIM/100APPLE"
# A minimal JPEG: SOI, APP1 Exif (IFD0 -> Exif IFD with DateTimeOriginal), EOI; each file differs in its
# time so that no two have the same hash.
/usr/bin/python3 - "$BENCH_DIR/ev/DCIM/100APPLE" "$N" <<'PY'
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    when = b"2024:05:01 %02d:%02d:%02d\0" % (i // 3600 % 24, i // 60 % 60, i % 60)
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", 0x8769, 4, 1, 26) + struct.pack("<I", 0)
    exif = struct.pack("<H", 1) + struct.pack("<HHII", 0x9003, 2, 20, 44) + struct.pack("<I", 0) + when
    tiff = b"II*\0" + struct.pack("<I", 8) + ifd0 + exif
    app1 = b"Exif\0\0" + tiff
    jpeg = b"\xff\xd8\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + b"\xff\xd9"
    open(f"{out}/IMG_{i:05d}.jpg", "wb").write(jpeg)
PY
export KANSHIKI_HOME="$BENCH_DIR/home" CI=1
"$K" -q examiner init --name "Benchmark"
"$K" -q case create --case "$BENCH_DIR/case"
"$K" -q ingest "$BENCH_DIR/ev" --case "$BENCH_DIR/case"
cp -a "$BENCH_DIR/case" "$BENCH_DIR/case-nosandbox"
/usr/bin/time -f '%e %U %S' -o "$BENCH_DIR/t_sandbox" "$K" -q process --case "$BENCH_DIR/case" --no-thumbnails
/usr/bin/time -f '%e %U %S' -o "$BENCH_DIR/t_inproc" "$K" -q process --case "$BENCH_DIR/case-nosandbox" --no-sandbox --no-thumbnails
read -r ws us ss < "$BENCH_DIR/t_sandbox"
read -r wi ui si < "$BENCH_DIR/t_inproc"
n=$(sqlite3 "$BENCH_DIR/case/case.db" "select count(*) from artifacts where type='media'")
echo "{\"bench\":\"sandbox_per_file\",\"files\":$N,\"media_artifacts\":$n,\"sandboxed_s\":$ws,\"sandboxed_cpu_s\":$(echo "$us + $ss" | bc -l),\"in_process_s\":$wi,\"in_process_cpu_s\":$(echo "$ui + $si" | bc -l),\"extra_ms_per_file\":$(echo "($ws - $wi) * 1000 / $N" | bc -l | cut -c1-6)}"
