#!/usr/bin/env bash
# Measure irsa-lint on corpora: for each corpus (a directory or a file) prints its file bytes and
# files, the wall time at --jobs 1 and --jobs 2 (medians of alternating warm runs), MB/s of file
# bytes and files/s, the --jobs 2 speed-up, the peak RSS and its ratio to the file bytes, the
# single-thread parse floor (benches/floor.rs --parse-only: saphyr events and jsonc AST alone, on
# the same files) and the share of it the end-to-end --jobs 1 run reaches, and, when `checkov` is
# installed, checkov's time on the corpus's Kubernetes files and the ratio.
#
#   benches/run.sh [--runs N] CORPUS...
#
# IRSA_LINT_BIN=path measures another build of irsa-lint (a before/after comparison); NO_CHECKOV=1
# leaves checkov out.
#
# Corpora: `python3 benches/gen_corpus.py DIR 2000` (the monorepo), `python3
# benches/gen_big_stream.py FILE` (one stream of 100,000 documents), or any directory. Sizes are
# file bytes (the sum of the regular files' sizes, .git excluded), not `du`.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
if [ "${1:-}" = "--runs" ]; then runs=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: benches/run.sh [--runs N] CORPUS..." >&2; exit 2; }
cargo build --release --quiet
cargo bench --quiet --bench floor --no-run 2>/dev/null
bin=${IRSA_LINT_BIN:-target/release/irsa-lint}
floor() { cargo bench --quiet --bench floor -- --parse-only --runs "$runs" "$@" 2>/dev/null | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run_once() { # jobs path -> "seconds peak_kib"
  /usr/bin/time -f "%e %M" -o /tmp/irsa-bench-time.$$ \
    "$bin" --no-config --fail-on never --max-file-size 1GiB --format json -o /dev/null \
    --jobs "$1" "$2" >/dev/null 2>&1 || true
  cat /tmp/irsa-bench-time.$$
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for corpus in "$@"; do
  bytes=$(find "$corpus" -name .git -prune -o -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  files=$(find "$corpus" -name .git -prune -o -type f -print | wc -l)
  run_once 2 "$corpus" >/dev/null # warm the page cache
  t1=(); t2=(); rss=0
  for _ in $(seq "$runs"); do
    read -r s k < <(run_once 1 "$corpus"); t1+=("$s"); [ "$k" -gt "$rss" ] && rss=$k
    read -r s k < <(run_once 2 "$corpus"); t2+=("$s"); [ "$k" -gt "$rss" ] && rss=$k
  done
  m1=$(printf '%s\n' "${t1[@]}" | median)
  m2=$(printf '%s\n' "${t2[@]}" | median)
  fl=$(floor "$corpus" | sed 's/.*seconds=//')
  awk -v c="$corpus" -v b="$bytes" -v f="$files" -v m1="$m1" -v m2="$m2" -v r="$rss" -v fl="$fl" 'BEGIN {
    mb = b / 1e6
    printf "%s: %d files, %.1f MB of file bytes\n", c, f, mb
    printf "  --jobs 1: %.2f s wall, %.1f MB/s, %.0f files/s\n", m1, mb / m1, f / m1
    printf "  --jobs 2: %.2f s wall, %.1f MB/s, %.0f files/s; %.2fx --jobs 1\n", m2, mb / m2, f / m2, m1 / m2
    printf "  peak RSS: %.0f MiB = %.2fx the file bytes\n", r / 1024, r * 1024 / b
    printf "  parse floor (one thread): %.2f s; --jobs 1 end to end is %.0f %% of it\n", fl, 100 * fl / m1
  }'
  if [ -z "${NO_CHECKOV:-}" ] && command -v checkov >/dev/null; then
    start=$(date +%s.%N)
    if [ -d "$corpus" ]; then where=-d; else where=-f; fi
    checkov "$where" "$corpus" --framework kubernetes --quiet --compact -o json >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v m2="$m2" 'BEGIN {
      printf "  checkov (Kubernetes files, one run): %.1f s; irsa-lint --jobs 2 is %.0fx faster\n", e - s, (e - s) / m2 }'
  fi
done
rm -f /tmp/irsa-bench-time.$$
