#!/usr/bin/env bash
# Compares `egret lca solve` with Brightway's bw2calc (PyPI) on the same
# synthetic matrices: equal score and scaling vector to a relative 1e-9,
# and timings of both (docs/lca.md). Creates a venv at $TARGET/bw2calc
# (TARGET = $CARGO_TARGET_DIR or ./target) with pinned bw2calc and
# bw_processing (SuperLU backend); with --pardiso, a second venv at
# $TARGET/bw2calc-pardiso that adds pypardiso (MKL PARDISO backend).
#
#   scripts/lca/compare-bw2calc.sh                  # CI: 2,000 processes, debug binary
#   scripts/lca/compare-bw2calc.sh --release --processes 20000 --draws 1000 --bench [--pardiso]
#
# Other options go to compare_bw2calc.py (--seed, --workers, --repeats, ...).
# EGRET_BIN names an egret binary to use instead of building one.
set -euo pipefail
cd "$(dirname "$0")/../.."

bw2calc_version=3.1.0
bw_processing_version=1.6
pypardiso_version=0.4.7

profile=debug
pardiso=0
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release ;;
    --pardiso) pardiso=1 ;;
    *) args+=("$1") ;;
  esac
  shift
done

target_dir=${CARGO_TARGET_DIR:-target}
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac

if [ -n "${EGRET_BIN:-}" ]; then
  egret=$EGRET_BIN
else
  if [ "$profile" = release ]; then
    cargo build --release -q -p egret-cli
  else
    cargo build -q -p egret-cli
  fi
  egret="$target_dir/$profile/egret"
fi
test -x "$egret"

venv() { # venv DIR PACKAGES...
  local dir=$1; shift
  local want="bw2calc==$bw2calc_version"
  local have
  have=$("$dir/bin/python" -c 'import importlib.metadata as m; print("bw2calc==" + m.version("bw2calc"))' 2>/dev/null || true)
  if [ "$have" != "$want" ] || ! "$dir/bin/python" -c 'import bw_processing' 2>/dev/null; then
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@"
  fi
}

venv "$target_dir/bw2calc" "bw2calc==$bw2calc_version" "bw_processing==$bw_processing_version"
status=0
"$target_dir/bw2calc/bin/python" scripts/lca/compare_bw2calc.py --egret "$egret" "${args[@]}" || status=$?
if [ "$pardiso" = 1 ]; then
  venv "$target_dir/bw2calc-pardiso" "bw2calc==$bw2calc_version" \
    "bw_processing==$bw_processing_version" "pypardiso==$pypardiso_version"
  "$target_dir/bw2calc-pardiso/bin/python" scripts/lca/compare_bw2calc.py --egret "$egret" "${args[@]}" || status=$?
fi
exit $status
