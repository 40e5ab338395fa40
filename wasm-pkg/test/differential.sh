#!/usr/bin/env bash
# Differential test: the native rules (tests/differential.rs, and tests/differential_portal.rs
# for what the parents' portal asks) write cases with their answers; the WebAssembly package
# (pkg/node) must give byte-identical answers.
#   KEZEK_DIFF_SEED=<u64>        another seed (default: the generator's)
#   KEZEK_DIFF_OUT=<file>        where the cases go (default: target/kezek-wasm-differential/);
#                                the portal's go next to them (<file without .jsonl>-portal.jsonl)
#   KEZEK_WASM_SKIP_BUILD=1      use pkg/ as it is instead of running build.sh first
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
out="${KEZEK_DIFF_OUT:-$target_dir/kezek-wasm-differential/cases.jsonl}"

if [ "${KEZEK_WASM_SKIP_BUILD:-0}" != 1 ]; then
  bash "$here/build.sh"
fi
portal_out="${out%.jsonl}-portal.jsonl"
rm -f "$out" "$portal_out"
(cd "$root" && KEZEK_DIFF_OUT="$out" cargo test -p kezek-wasm --test differential -- generate_differential_cases)
(cd "$root" && KEZEK_DIFF_PORTAL_OUT="$portal_out" cargo test -p kezek-wasm --test differential_portal)
node "$here/scripts/differential.mjs" "$out" "$portal_out"
