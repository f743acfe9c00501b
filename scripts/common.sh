# shellcheck shell=bash
# Shared by the measuring scripts (sourced, not run): tools, the binary, inputs.

# need TOOL PACKAGE: TOOL on the PATH, installed from the Debian PACKAGE when it is
# missing and the script runs as root; otherwise an error (exit 2).
need() {
  command -v "$1" >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing $2 (Debian package)…" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq "$2" >/dev/null
  else
    echo "error: $1 is not installed (apt-get install $2)" >&2
    exit 2
  fi
}

# release_binary: builds the release binary and prints its path, wherever cargo
# puts it (CARGO_TARGET_DIR, a config's target-dir).
release_binary() {
  cargo build --release --quiet --bin rtadvisor --message-format=json \
    | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])'
}

# fixture_folder DIR N: a new folder DIR of N profiles, the fixtures over and over.
fixture_folder() {
  mkdir "$1"
  local files=(fixtures/*.yaml) i
  for ((i = 0; i < $2; i++)); do
    cp "${files[i % ${#files[@]}]}" "$1/p$(printf %05d "$i").yaml"
  done
}
