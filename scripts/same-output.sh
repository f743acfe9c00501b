#!/usr/bin/env bash
# Compares two rtadvisor binaries' output (stdout, stderr, exit code) on every
# fixture and format, and on whole folders: a speed change must not change a byte.
#   scripts/same-output.sh OLD_BINARY NEW_BINARY
set -u
old=$1 new=$2
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
differ=0
check() {
  "$old" "$@" >"$tmp/o.out" 2>"$tmp/o.err"; echo "exit $?" >>"$tmp/o.err"
  "$new" "$@" >"$tmp/n.out" 2>"$tmp/n.err"; echo "exit $?" >>"$tmp/n.err"
  if ! cmp -s "$tmp/o.out" "$tmp/n.out" || ! cmp -s "$tmp/o.err" "$tmp/n.err"; then
    echo "DIFFERS: rtadvisor $*"; differ=1
  fi
}
runs=0
for f in fixtures/*.yaml; do
  for fmt in table json markdown html sarif junit; do check advise "$f" --format "$fmt"; done
  check advise "$f" --check
  check explain "$f"
  runs=$((runs + 8))
done
check advise fixtures --format json
check advise fixtures
check advise fixtures --format markdown
check advise fixtures --check
mkdir -p "$tmp/mixed" && cp fixtures/comment-thread.yaml fixtures/poker-table.yaml "$tmp/mixed/"
printf 'name: broken\ndirection: sideways\n' >"$tmp/mixed/b-bad.yaml"
check advise "$tmp/mixed" --format json
check advise "$tmp/mixed/b-bad.yaml" fixtures/poker-table.yaml --format json
runs=$((runs + 6))
[ "$differ" = 0 ] && echo "same output on $runs runs"
exit "$differ"
