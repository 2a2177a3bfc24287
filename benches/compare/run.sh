#!/usr/bin/env bash
# Side-by-side: infomaniak-block-storage versus Python openstacksdk, same workloads, same
# local server (the bench binary's --serve mode on 127.0.0.1).
#
#   benches/compare/run.sh                      # throwaway venv, latest openstacksdk
#   OPENSTACKSDK_VERSION=4.22.0 benches/compare/run.sh
#   VENV=/tmp/osvenv benches/compare/run.sh     # reuse (or create and keep) a venv
#   benches/compare/run.sh --cold-runs 30 --runs 10   # extra args go to compare.py
#
# Needs: cargo, python3 (>= 3.9) with venv, network access to PyPI for the install.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"

echo "building the bench binary (release)..." >&2
bench_bin="$(cd "$root" && cargo bench --bench client --no-run --message-format=json 2>/dev/null \
  | "$python" -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "client" and "bench" in m["target"]["kind"] and m.get("executable"):
        print(m["executable"])')"
[ -x "$bench_bin" ] || { echo "could not build benches/client.rs" >&2; exit 1; }

if [ -n "${VENV:-}" ]; then
  venv="$VENV"
else
  venv="$(mktemp -d -t openstacksdk-venv.XXXXXX)"
  trap 'rm -rf "$venv"' EXIT
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import openstack' 2>/dev/null; then
  echo "installing openstacksdk${OPENSTACKSDK_VERSION:+==$OPENSTACKSDK_VERSION} into $venv ..." >&2
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openstacksdk${OPENSTACKSDK_VERSION:+==$OPENSTACKSDK_VERSION}"
fi
echo "python: $("$venv/bin/python" -V 2>&1), openstacksdk $("$venv/bin/python" -c 'import openstack.version as v; print(v.__version__)'), keystoneauth1 $("$venv/bin/python" -c 'import keystoneauth1, importlib.metadata as m; print(m.version("keystoneauth1"))')"
echo "rust: $(rustc -V), bench binary: $bench_bin"
"$venv/bin/python" "$here/compare.py" --bench-bin "$bench_bin" --python "$venv/bin/python" "$@"
