#!/usr/bin/env bash
# Lints the markdown rtadvisor writes with markdownlint-cli2's default rules,
# line length (MD013, 80 columns) included: the concise section of every
# fixture, the long form (--detail full) of every fixture, a multi-profile
# document, a design doc holding several sections placed with --after, and
# docs/design-docs.md after `rtadvisor doc` wrote into a copy of it; then the
# project's own pages: README.md and docs/.
#
# The only rule changed is MD013's documented `tables: false`: a table row cannot
# be wrapped, so rows may be longer than 80 columns (for the project's pages also
# `code_blocks: false`). Prose, lists, headings and everything else must fit.
# Exits non-zero on any lint error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/md"
mkdir -p "$out/full" "$out/docs"

# The debug build cargo test already made, wherever cargo puts it
# (CARGO_TARGET_DIR, a config's target-dir): ask cargo for the binary's path.
bin="$(cargo build -q --bin rtadvisor --message-format=json \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])')"
[[ -x "$bin" ]] || { echo "markdownlint.sh: cannot find the rtadvisor binary" >&2; exit 1; }

# A standalone section is a document of its own: title at level 1 (MD041).
for f in fixtures/*.yaml; do
  name="$(basename "$f" .yaml)"
  "$bin" advise "$f" --format markdown --heading-level 1 > "$out/$name.md"
  # The long form, through doc (the only command that writes it).
  cp "$f" "$out/full/$name.yaml"
  "$bin" doc "$out/full/$name.yaml" --into "$out/full/$name.md" --detail full --heading-level 1 2>/dev/null
done

# Several profiles in one document.
"$bin" advise fixtures --format markdown --heading-level 1 > "$out/all-fixtures.md"

# A design doc with two sections: one placed after a heading, one appended, then
# refreshed from the doc alone.
cp fixtures/ai-chat-tokens.yaml fixtures/poker-table.yaml "$out/docs/"
cat > "$out/docs/design.md" <<'MD'
# Design: chat assistant

Some context written by a person.

## Streaming answers

How answers reach the browser.

## Open questions

None yet.
MD
"$bin" doc "$out/docs/ai-chat-tokens.yaml" --into "$out/docs/design.md" --after "Streaming answers" --heading-level 3 2>/dev/null
"$bin" doc "$out/docs/poker-table.yaml" --into "$out/docs/design.md" --status accepted 2>/dev/null
"$bin" doc "$out/docs/design.md" 2>/dev/null
"$bin" doc --check "$out/docs"

# The page that documents the markers: its examples are code blocks, and stay so.
cp docs/design-docs.md "$out/docs/design-docs.md"
"$bin" doc "$out/docs/ai-chat-tokens.yaml" --into "$out/docs/design-docs.md" 2>/dev/null

# markdownlint-cli2's defaults, with MD013's documented option for tables.
cat > "$out/.markdownlint-cli2.jsonc" <<'JSON'
{
  "config": {
    "default": true,
    "MD013": { "tables": false }
  }
}
JSON

npm install --prefix "$tmp/node" markdownlint-cli2@0.x --no-audit --no-fund --silent >/dev/null
lint="$tmp/node/node_modules/.bin/markdownlint-cli2"

count="$(find "$out" -name '*.md' | wc -l | tr -d ' ')"
echo "markdownlint: checking $count generated files"
(cd "$out" && "$lint" "**/*.md")

# The project's own pages, with the same rules; code blocks may be longer than 80
# columns too (a command line or a YAML line cannot be wrapped).
own="$tmp/own"
mkdir -p "$own"
cp -r docs "$own/docs"
cp README.md "$own/README.md"
cat > "$own/.markdownlint-cli2.jsonc" <<'JSON'
{
  "config": {
    "default": true,
    "MD013": { "tables": false, "code_blocks": false }
  }
}
JSON
count="$(find "$own" -name '*.md' | wc -l | tr -d ' ')"
echo "markdownlint: checking $count pages of the project's own (README.md, docs/)"
(cd "$own" && "$lint" "**/*.md")
