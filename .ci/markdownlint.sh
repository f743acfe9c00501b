#!/usr/bin/env bash
# Lints the markdown rtadvisor writes: one `advise --format markdown` section per
# fixture, one multi-profile document, and one `doc --into` result, with
# markdownlint-cli2's default rules (MD013, line length, off). Exits non-zero on
# any lint error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/md"
mkdir -p "$out"

cargo build -q   # the debug build cargo test already made
bin="$root/target/debug/rtadvisor"

# A standalone section is a document of its own: title at level 1 (MD041).
for f in fixtures/*.yaml; do
  name="$(basename "$f" .yaml)"
  "$bin" advise "$f" --format markdown --heading-level 1 > "$out/$name.md"
done

# Several profiles in one document.
"$bin" advise fixtures --format markdown --heading-level 1 > "$out/all-fixtures.md"

# A design doc with the section injected at the default level 2, refreshed twice.
printf '# Design: chat assistant\n\nSome context written by a person.\n' > "$out/design.md"
"$bin" doc fixtures/ai-chat-tokens.yaml --into "$out/design.md" 2>/dev/null
"$bin" doc fixtures/ai-chat-tokens.yaml --into "$out/design.md" 2>/dev/null
printf '\n## Appendix\n\nMore text after the section.\n' >> "$out/design.md"
"$bin" doc fixtures/poker-table.yaml --into "$out/design.md" 2>/dev/null

cat > "$out/.markdownlint-cli2.jsonc" <<'JSON'
{
  "config": {
    "default": true,
    "MD013": false
  }
}
JSON

npm install --prefix "$tmp/node" markdownlint-cli2@0.x --no-audit --no-fund --silent >/dev/null
lint="$tmp/node/node_modules/.bin/markdownlint-cli2"

count="$(find "$out" -name '*.md' | wc -l | tr -d ' ')"
echo "markdownlint: checking $count generated files"
cd "$out"
"$lint" "*.md"
