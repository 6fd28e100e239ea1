#!/usr/bin/env bash
# Thumbnail throughput (docs/thumbnails.md): N distinct JPEGs in DCIM/ (copies of one real photo, each with
# its index appended after the end-of-image marker, so every file has its own SHA-256 and is decoded), ingested
# and processed without thumbnails, then `kanshiki thumbnails` timed alone. Prints one JSON line.
# Usage: bench/bench_thumbnails.sh [N=1000] [PHOTO]
#   PHOTO defaults to realdata's 640x480 Nikon JPEG; give a 12-megapixel phone photo to see the decode cost.
#   env: BENCH_DIR (default /tmp/kanshiki-bench-thumbnails)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"
PHOTO="${2:-../shared/realdata/photos_exif/exif-samples/jpg_gps_DSCN0010.jpg}"
BENCH_DIR="${BENCH_DIR:-/tmp/kanshiki-bench-thumbnails}"
K="$PWD/build/release/cli/kanshiki"
[ -f "$PHOTO" ] || { echo "bench_thumbnails: $PHOTO not found (give a JPEG as the second argument)" >&2; exit 2; }
rm -rf "$BENCH_DIR" && mkdir -p "$BENCH_DIR/ev/DCIM/Camera"
for ((i = 0; i < N; i++)); do
  f="$BENCH_DIR/ev/DCIM/Camera/IMG_$(printf %05d "$i").jpg"
  cp "$PHOTO" "$f" && printf '%d' "$i" >> "$f"
done
export KANSHIKI_HOME="$BENCH_DIR/home" CI=1
"$K" -q examiner init --name "Benchmark"
"$K" -q case create --case "$BENCH_DIR/case"
"$K" -q ingest "$BENCH_DIR/ev" --case "$BENCH_DIR/case"
"$K" -q process --case "$BENCH_DIR/case" --parser media.exif --no-thumbnails
/usr/bin/time -f '%e %U %S %M' -o "$BENCH_DIR/t" "$K" --json thumbnails --case "$BENCH_DIR/case" > "$BENCH_DIR/out.json"
read -r wall user sys rss < "$BENCH_DIR/t"
made=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["made"])' "$BENCH_DIR/out.json")
echo "{\"bench\":\"thumbnails\",\"photo\":\"$(basename "$PHOTO")\",\"files\":$N,\"made\":$made,\"wall_s\":$wall,\"cpu_s\":$(echo "$user + $sys" | bc -l),\"per_second\":$(echo "$made / $wall" | bc -l | cut -c1-6),\"peak_rss_mb\":$((rss / 1024))}"
rm -rf "$BENCH_DIR"
