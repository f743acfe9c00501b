#!/usr/bin/env bash
# Reproduces the README's Performance table: the whole process against `cat` on the
# same input, in paired rounds (each round runs both with hyperfine, one right after
# the other; the ratio reported is the median of the rounds' ratios), peak memory,
# and the in-process medians from `cargo bench`.
#
#   scripts/bench.sh            # build --release, then measure
#   ROUNDS=9 scripts/bench.sh   # more rounds on a noisy machine
#   BIN=path/to/rtadvisor scripts/bench.sh   # measure another binary (no build)
#   QUICK=1 scripts/bench.sh    # skip the in-process `cargo bench` medians
#   BASE=path/to/main/rtadvisor scripts/bench.sh   # also time another binary in the
#                               # same rounds (e.g. main's), against the same `cat`
#
# Needs hyperfine (installed with apt-get when missing and run as root) and GNU time
# for peak memory (optional). Times are medians; on a shared machine trust ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}

# shellcheck source=scripts/common.sh
. scripts/common.sh
need hyperfine hyperfine
BIN=${BIN:-$(release_binary)}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT

# A folder of 10,000 profiles: the fixtures over and over.
fixture_folder "$tmp/batch" 10000
one=fixtures/comment-thread.yaml

# median FILE.csv ROW: a command's median time (s) from hyperfine's CSV (row 1 or 2).
median() { awk -F, -v row="$2" 'NR == row + 1 { print $4 }' "$1"; }
# mid: the median of numbers, one a line on stdin.
mid() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# secs S: a time for the table.
secs() { awk -v s="$1" 'BEGIN { printf (s < 0.1 ? "%.2f ms" : "%.3f s"), (s < 0.1 ? s * 1000 : s) }'; }
# paired NAME RUNS WARMUP BASELINE COMMAND OTHER [hyperfine options]: rounds of all
# of them one right after the other (OTHER may be empty), each round's ratio to the
# baseline; the medians. A round's first runs are often slow on a busy machine
# (whatever is measured first): short commands get more warm-up runs.
paired() {
  local name=$1 runs=$2 warmup=$3 base=$4 cmd=$5 other=${6:-}
  shift 6
  local ratios=() bases=() cmds=() others=() oratios=()
  for ((r = 0; r < rounds; r++)); do
    hyperfine --style none --runs "$runs" --warmup "$warmup" "$@" --export-csv "$tmp/r.csv" \
      "$base" "$cmd" ${other:+"$other"} >/dev/null 2>"$tmp/hyperfine.err" \
      || { cat "$tmp/hyperfine.err" >&2; exit 2; }
    bases+=("$(median "$tmp/r.csv" 1)")
    cmds+=("$(median "$tmp/r.csv" 2)")
    ratios+=("$(awk -v a="${cmds[-1]}" -v b="${bases[-1]}" 'BEGIN { printf "%.3f", a / b }')")
    if [ -n "$other" ]; then
      others+=("$(median "$tmp/r.csv" 3)")
      oratios+=("$(awk -v a="${others[-1]}" -v b="${bases[-1]}" 'BEGIN { printf "%.3f", a / b }')")
    fi
  done
  local row
  row="| $name | $(secs "$(printf '%s\n' "${cmds[@]}" | mid)") | $(secs "$(printf '%s\n' "${bases[@]}" | mid)") | $(printf '%s\n' "${ratios[@]}" | mid)×"
  if [ -n "$other" ]; then
    row="$row | $(secs "$(printf '%s\n' "${others[@]}" | mid)") | $(printf '%s\n' "${oratios[@]}" | mid)×"
  fi
  echo "$row |"
}

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(uname -sr)"
echo "date: $(date -u +%Y-%m-%d) — $rounds paired rounds, medians"
# Other work on the machine moves every time; say how busy it was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
if [ -n "${BASE:-}" ]; then
  echo "| whole process | rtadvisor | cat (same input) | ratio | BASE ($BASE) | its ratio |"
  echo "| --- | --- | --- | --- | --- | --- |"
else
  echo "| whole process | rtadvisor | cat (same input) | ratio |"
  echo "| --- | --- | --- | --- |"
fi
base_one=${BASE:+"$BASE advise $one --format json"}
base_dir=${BASE:+"$BASE advise $tmp/batch --format json"}
paired "advise FILE --format json (one profile)" 100 30 "cat $one" "$BIN advise $one --format json" \
  "$base_one" -N
paired "advise DIR --format json (10,000 profiles)" 3 1 "cat $tmp/batch/*.yaml" \
  "$BIN advise $tmp/batch --format json" "$base_dir"
echo
if [ -x /usr/bin/time ]; then
  for bin in "$BIN" ${BASE:+"$BASE"}; do
    for target in "$one" "$tmp/batch"; do
      # Peak memory, and the CPU time (user + system) of that one run.
      read -r kb user sys < <( { /usr/bin/time -f '%M %U %S' "$bin" advise "$target" --format json >/dev/null; } 2>&1 | tail -1)
      label=$([ "$target" = "$one" ] && echo "one profile" || echo "10,000 profiles")
      who=$([ "$bin" = "$BIN" ] && echo "" || echo " (BASE)")
      echo "peak memory$who, $label: $(awk -v k="$kb" 'BEGIN { printf "%.1f MiB", k / 1024 }'); CPU time: $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f s", u + s }')"
    done
  done
else
  echo "peak memory: GNU time (/usr/bin/time) not installed, skipped"
fi
echo "load average after the timings: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "${QUICK:-}" ]; then
  echo
  # Criterion runs nothing for a filter that matches no benchmark; the bench's own
  # main then prints the medians over the fixtures.
  cargo bench --quiet --bench engine -- --noplot no-criterion-group 2>/dev/null | grep median
fi
