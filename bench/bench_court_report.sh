#!/usr/bin/env bash
# Court report at scale: builds a case from a generated WhatsApp msgstore.db with N messages (default
# 1,000,000), then times `kanshiki report --all` as PDF and as HTML and prints each one's peak RSS
# (/usr/bin/time -v; target: <= 1 GB at 1M messages). Not a CTest test: it takes minutes.
#
#   bench/bench_court_report.sh [MESSAGES] [WORK_DIR]
# Results go in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
WORK="${2:-$(mktemp -d)}"
K="$PWD/build/release/cli/kanshiki"
export KANSHIKI_HOME="$WORK/home"
mkdir -p "$WORK/evidence/data/data/com.whatsapp/databases"
[ -f "$KANSHIKI_HOME/examiner.json" ] || "$K" -q examiner init --name "ベンチ 検査官"
DB="$WORK/evidence/data/data/com.whatsapp/databases/msgstore.db"
[ -f "$DB" ] || /usr/bin/python3 bench/gen_whatsapp_msgstore.py --messages "$N" --out "$DB"
if [ ! -f "$WORK/case/case.db" ]; then
  "$K" -q case create --case "$WORK/case" --number "BENCH-$N"
  "$K" -q ingest "$WORK/evidence" --case "$WORK/case" --exhibit A-1
  "$K" -q process --case "$WORK/case" --no-sandbox || "$K" -q process --case "$WORK/case"
fi
measure() {  # label, then the command
  local label="$1"; shift
  if ! /usr/bin/time -v "$@" 2> "$WORK/time.txt" >/dev/null; then
    echo "$label: FAILED"; grep -v "^\s" "$WORK/time.txt" | head -5
  fi
  local secs rss
  secs=$(grep "Elapsed (wall clock)" "$WORK/time.txt" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$WORK/time.txt" | awk '{print $NF}')
  echo "$label: wall $secs, peak RSS $((rss / 1024)) MiB"
}
measure "PDF  --all ($N messages)" "$K" -q report --case "$WORK/case" --format pdf --lang ja --all -o "$WORK/out/all.pdf"
echo "  $(pdfinfo "$WORK/out/all.pdf" | grep Pages), $(du -h "$WORK/out/all.pdf" | cut -f1)"
measure "HTML --all ($N messages)" "$K" -q report --case "$WORK/case" --format html --lang ja --all -o "$WORK/out/html/report.html"
echo "  $(ls "$WORK/out/html" | wc -l) files, $(du -sh "$WORK/out/html" | cut -f1)"
echo "work dir: $WORK (remove when done)"
