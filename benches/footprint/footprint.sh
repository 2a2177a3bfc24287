#!/usr/bin/env bash
# Footprint: crates in the library's normal dependency tree and the release size of the
# quickstart example; with --with-alternative, the same for a minimal program on the
# tokio-based `openstack_sdk` crate (built in a throwaway temp dir, outside the repo; takes
# several minutes and downloads ~200 crates from crates.io).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

count_crates() { # distinct name+version in `cargo tree -e normal`, the root package excluded
  sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u | grep -v -E "^$1 v" | wc -l
}
show_size() {
  local bin="$1" stripped
  stripped="$(mktemp)"; cp "$bin" "$stripped"; strip "$stripped"
  printf '  %s\n    as built: %s bytes (%.2f MiB), stripped: %s bytes (%.2f MiB)\n' "$bin" \
    "$(stat -c %s "$bin")" "$(echo "$(stat -c %s "$bin") / 1048576" | bc -l)" \
    "$(stat -c %s "$stripped")" "$(echo "$(stat -c %s "$stripped") / 1048576" | bc -l)"
  rm -f "$stripped"
}

cd "$root"
echo "== infomaniak-block-storage =="
echo "  normal dependency tree: $(cargo tree -p infomaniak-block-storage -e normal --prefix none 2>/dev/null | count_crates infomaniak-block-storage) crates (the crate itself not counted; proc-macros included)"
cargo build --release --example quickstart 2>&1 | tail -1 >&2
show_size target/release/examples/quickstart
echo "  note: the quickstart also links the simulated cloud (infomaniak-fake-cloud) it falls back to"

if [ "${1:-}" = "--with-alternative" ]; then
  alt="${ALT_DIR:-$(mktemp -d -t tokio-alt.XXXXXX)}"
  mkdir -p "$alt/src"
  cp "$here/alt-Cargo.toml" "$alt/Cargo.toml"
  cp "$here/alt-main.rs" "$alt/src/main.rs"
  echo "== tokio-based alternative: openstack_sdk (async, block_storage, identity) + tokio, in $alt =="
  (cd "$alt" && cargo build --release 2>&1 | tail -1 >&2)
  echo "  version: $(cd "$alt" && cargo tree -e normal --prefix none --depth 1 2>/dev/null | grep -o '^openstack_sdk v[^ ]*' | head -1)"
  echo "  normal dependency tree of openstack_sdk alone: $(cd "$alt" && cargo tree -p openstack_sdk -e normal --prefix none 2>/dev/null | count_crates openstack_sdk) crates"
  echo "  normal dependency tree of the program (openstack_sdk + tokio + serde_json): $(cd "$alt" && cargo tree -e normal --prefix none 2>/dev/null | count_crates tokio-alt) crates"
  show_size "$alt/target/release/tokio-alt"
fi
