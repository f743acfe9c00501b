#!/usr/bin/env bash
# Regenerates docs/report.png, the picture of a real report in the README: the HTML
# report of fixtures/corporate-intranet-feed.yaml (a path with two buffering hops,
# a vetoed transport and several changes that would flip the answer), rendered by
# headless Chromium at 1000 px wide, top of the page.
#
#   scripts/readme-picture.sh                    # build, render, write docs/report.png
#   PROFILE=fixtures/x.yaml scripts/readme-picture.sh
#
# Needs Chromium (the Debian `chromium` package; installed with apt-get when missing
# and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE:-fixtures/corporate-intranet-feed.yaml}
height=${HEIGHT:-1500}

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing chromium (Debian package)…" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
    chromium=$(command -v chromium)
  else
    echo "error: chromium is not installed (apt-get install chromium)" >&2
    exit 2
  fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run --quiet --bin rtadvisor -- advise "$profile" --format html >"$tmp/report.html"
"$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --disable-background-networking --no-first-run --hide-scrollbars \
  --window-size="1000,$height" --screenshot="$tmp/report.png" \
  "file://$tmp/report.html" >/dev/null 2>&1
mv "$tmp/report.png" docs/report.png
echo "wrote docs/report.png from $profile ($(wc -c <docs/report.png) bytes)"
