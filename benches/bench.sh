#!/usr/bin/env bash
# Benchmark irsa-lint on a generated monorepo: wall time, throughput and peak memory.
#
#   benches/bench.sh [TEAMS]      (default 2000 teams, about 10,000 files and 150 MB)
#
# Uses hyperfine when installed (apt-get install hyperfine), else three timed runs.
set -euo pipefail
cd "$(dirname "$0")/.."
teams="${1:-2000}"
corpus="target/bench-corpus-$teams"
cargo build --release --quiet
if [ ! -d "$corpus" ]; then
  python3 benches/gen_corpus.py "$corpus" "$teams"
fi
files=$(find "$corpus" -type f | wc -l)
bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "corpus: $corpus, $files files, $((bytes / 1024 / 1024)) MiB"
bin=target/release/irsa-lint
cmd="$bin --format json --fail-on never -o /dev/null $corpus"
for jobs in 1 "$(nproc)"; do
  echo "-- --jobs $jobs"
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 5 "$cmd --jobs $jobs"
  else
    for _ in 1 2 3; do
      /usr/bin/env time -f "%e s wall, %M KiB peak RSS" $cmd --jobs "$jobs"
    done
  fi
done
# Terraform alone: every module directory parsed and evaluated, its roles' trusts linted.
tf_bytes=$(find "$corpus" \( -name '*.tf' -o -name '*.tfvars' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "-- Terraform only ($((tf_bytes / 1024)) KiB of .tf and .tfvars), --jobs $(nproc)"
tf_cmd="$cmd --exclude *.yaml --exclude *.json"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 5 "$tf_cmd"
else
  for _ in 1 2 3; do
    /usr/bin/env time -f "%e s wall, %M KiB peak RSS" $tf_cmd
  done
fi
if command -v /usr/bin/time >/dev/null; then
  /usr/bin/time -f "peak RSS: %M KiB" $cmd >/dev/null
fi
