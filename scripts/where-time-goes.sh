#!/usr/bin/env bash
# Where a run's work goes, in instructions (valgrind's callgrind: exact counts, the
# same on a busy machine as on an idle one, unlike times): one profile's whole
# process, and a folder of profiles, split by phase (inclusive counts of the
# functions that start each phase). The README's Performance section quotes it.
#
#   scripts/where-time-goes.sh            # build --release, then count
#   BIN=path/to/rtadvisor scripts/where-time-goes.sh
#   N=500 scripts/where-time-goes.sh      # profiles in the folder (default 2,000)
#
# Needs valgrind (installed with apt-get when missing and run as root). Counts
# instructions, not time: a page fault or a cache miss costs no instruction here.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-2000}

# shellcheck source=scripts/common.sh
. scripts/common.sh
need valgrind valgrind
need callgrind_annotate valgrind
BIN=${BIN:-$(release_binary)}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fixture_folder "$tmp/batch" "$n"

# count NAME TARGET: callgrind on `advise TARGET --format json`; prints each phase's
# share of the instructions.
count() {
  local name=$1 target=$2
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
    "$BIN" advise "$target" --format json >/dev/null 2>"$tmp/cg.err"
  callgrind_annotate --inclusive=yes "$tmp/cg.out" 2>/dev/null | python3 -c '
import re, sys
name, per = sys.argv[1], int(sys.argv[2])
total, seen = None, {}
# (label, function whose inclusive count is the phase), first match wins.
phases = [
    ("dynamic loader (before main)", r"rtld\.c:_dl_start "),
    ("default rules: decoding the embedded form", r"rtadvisor::load::knowledge "),
    ("making the engine", r"rtadvisor::engine::Engine::new "),
    ("parsing and validating profiles", r"rtadvisor::profile::load::parse_profile "),
    ("of which serde-saphyr", r"rtadvisor::yaml::parse_unplaced "),
    ("deciding (with flips)", r"rtadvisor::engine::Engine::decide_with "),
    ("of which the flip analysis", r"rtadvisor::engine::flips::analyse(_in)? "),
    ("writing the JSON (serde_json)", r"rtadvisor::report::json::element "),
]
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)", line)
    if not m:
        continue
    n, what = int(m.group(1).replace(",", "")), m.group(2)
    if "PROGRAM TOTALS" in what:
        total = n
        continue
    for label, pat in phases:
        if label not in seen and re.search(pat, what + " "):
            seen[label] = n
if not total:
    sys.exit("callgrind gave no totals")
print(f"{name}: {total:,} instructions" + (f" ({total // per:,} a profile)" if per > 1 else ""))
for label, _ in phases:
    if label in seen:
        share = seen[label] / total * 100
        each = f", {seen[label] // per:,} a profile" if per > 1 else ""
        print(f"  {label}: {share:.1f} %{each}")
' "$name" "$3"
  # Each function's own instructions (not its callees'), added up by where its code
  # comes from: a crate, this program, the C library, the dynamic loader.
  callgrind_annotate "$tmp/cg.out" 2>/dev/null | python3 -c '
import re, sys, collections
by, total = collections.Counter(), 0
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+?):", line)
    if not m or "PROGRAM TOTALS" in line:
        continue
    n, file = int(m.group(1).replace(",", "")), m.group(2)
    if (c := re.search(r"registry/src/[^/]+/([A-Za-z0-9_-]+?)-\d+\.\d+", file)):
        where = c.group(1)
    elif "/library/" in file:
        where = "Rust standard library"
    elif file.startswith("./malloc/"):
        where = "C library: malloc"
    elif file.startswith("./elf/") or "rtld" in file:
        where = "dynamic loader"
    elif file.startswith("./") or file == "???":
        where = "C library: other (memcpy, strings, start-up)"
    else:
        where = "rtadvisor"
    by[where] += n
    total += n
top = ", ".join(f"{w} {n / total * 100:.0f} %" for w, n in by.most_common(8))
print(f"  own instructions by origin: {top}")
'
}

echo "binary: $BIN"
count "one profile (fixtures/comment-thread.yaml), whole process" fixtures/comment-thread.yaml 1
count "$n profiles (the fixtures over and over), whole process" "$tmp/batch" "$n"
