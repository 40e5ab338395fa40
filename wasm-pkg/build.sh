#!/usr/bin/env bash
# Builds the JavaScript package of the Kezek rules:
#   pkg/node/  CommonJS for Node (`require`), with its own package.json
#   pkg/web/   ES module for browsers and bundlers (`import`, then `await init()`)
# Each holds wasm-bindgen's module (kezek_core.js, kezek_core_bg.wasm) and the entry
# kezek.js: that module's exports, with rankQueue and explainPosition from js/packed.js.
# Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli matching the crate's
# wasm-bindgen version, node and npm (for binaryen's wasm-opt, installed here on demand).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
wasm="$target_dir/wasm32-unknown-unknown/wasm/kezek_wasm.wasm"

# The CLI must match the crate's wasm-bindgen exactly, or the generated glue is wrong.
want="$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' "$here/Cargo.toml")"
have="$(wasm-bindgen --version | awk '{print $2}')"
if [ "$want" != "$have" ]; then
  echo "build.sh: wasm-bindgen CLI is $have, the crate needs $want:" >&2
  echo "  cargo install wasm-bindgen-cli --version $want --locked" >&2
  exit 1
fi

echo "==> cargo build (wasm32, profile wasm)"
(cd "$root" && cargo build -p kezek-wasm --target wasm32-unknown-unknown --profile wasm)

echo "==> npm devDependencies (binaryen for wasm-opt, terser, typescript)"
if [ ! -x "$here/node_modules/.bin/wasm-opt" ] || [ ! -x "$here/node_modules/.bin/tsc" ] ||
  [ ! -x "$here/node_modules/.bin/terser" ]; then
  if [ -f "$here/package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund)
  else
    (cd "$here" && npm install --no-audit --no-fund)
  fi
fi
wasm_opt="$here/node_modules/.bin/wasm-opt"

# The features rustc enables by default for wasm32-unknown-unknown.
features=(--enable-bulk-memory --enable-multivalue --enable-mutable-globals
  --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext)

bindgen() {
  local target="$1" out="$here/pkg/$2"
  echo "==> wasm-bindgen --target $target -> pkg/$2"
  rm -rf "$out"
  wasm-bindgen --target "$target" --out-dir "$out" --out-name kezek_core "$wasm"
}
# Merging functions that differ only in constants, and -Oz until it changes nothing more,
# take about 1 KB off the gzipped module without slowing rankQueue (portal/bench.mjs); the
# target-features section is read by no tool after wasm-bindgen.
optimize() {
  echo "==> wasm-opt --merge-similar-functions -Oz --converge $1"
  "$wasm_opt" --merge-similar-functions -Oz --converge --strip-debug --strip-producers --strip-target-features \
    "${features[@]}" "$here/$1" -o "$here/$1"
}

bindgen nodejs node
bindgen web web
# Both targets get the same module (only the JS glue differs): optimize it once.
if cmp -s "$here/pkg/node/kezek_core_bg.wasm" "$here/pkg/web/kezek_core_bg.wasm"; then
  optimize pkg/node/kezek_core_bg.wasm
  cp "$here/pkg/node/kezek_core_bg.wasm" "$here/pkg/web/kezek_core_bg.wasm"
else
  optimize pkg/node/kezek_core_bg.wasm
  optimize pkg/web/kezek_core_bg.wasm
fi
# The web target also declares the raw wasm exports (InitOutput) with `any` parameters:
# make them `unknown`, so that no `any` is in the package's types.
sed -i -E '/^    readonly /s/\b([a-z]): any\b/\1: unknown/g' "$here/pkg/web/kezek_core.d.ts"

version="$(node -p "require('$here/package.json').version")"
cat >"$here/pkg/node/package.json" <<EOF
{
  "name": "@kezek/rules-node",
  "version": "$version",
  "main": "kezek.js",
  "types": "kezek.d.ts"
}
EOF
cat >"$here/pkg/web/package.json" <<EOF
{
  "name": "@kezek/rules-web",
  "version": "$version",
  "type": "module",
  "module": "kezek.js",
  "main": "kezek.js",
  "types": "kezek.d.ts"
}
EOF

echo "==> entries pkg/node/kezek.js, pkg/web/kezek.js"
# The entry exports what the core module does (rankQueue and explainPosition replaced,
# the packed helpers kept internal), so its types are the core's.
internal='^(default|initSync|rankQueue|explainPosition|rankQueuePacked|explainPositionPacked)$'
names="$(cd "$here/pkg/web" && node --input-type=module -e "
  const m = await import('./kezek_core.js');
  console.log(Object.keys(m).filter((n) => !/$internal/.test(n)).join(', '));")"
{
  echo "'use strict';"
  echo "// The package's CommonJS entry: see wasm-pkg/js/packed.js."
  echo "const core = require('./kezek_core.js');"
  cat "$here/js/packed.js"
  # One `exports.name =` per export, so that Node's ES module loader sees the names.
  for name in ${names//,/ }; do echo "exports.$name = core.$name;"; done
  echo "exports.rankQueue = rankQueue;"
  echo "exports.explainPosition = explainPosition;"
} >"$here/pkg/node/kezek.js"
{
  echo "// The package's ES module entry: see wasm-pkg/js/packed.js."
  echo "import * as core from './kezek_core.js';"
  echo "export { default, initSync, $names } from './kezek_core.js';"
  cat "$here/js/packed.js"
  echo "export { rankQueue, explainPosition };"
} >"$here/pkg/web/kezek.js"
cp "$here/pkg/node/kezek_core.d.ts" "$here/pkg/node/kezek.d.ts"
cp "$here/pkg/web/kezek_core.d.ts" "$here/pkg/web/kezek.d.ts"

# What a browser downloads is minified (the types and pkg/node stay as written).
echo "==> terser pkg/web/*.js"
for js in kezek.js kezek_core.js; do
  "$here/node_modules/.bin/terser" "$here/pkg/web/$js" --module --compress --mangle -o "$here/pkg/web/$js"
done

raw="$(wc -c <"$here/pkg/web/kezek_core_bg.wasm")"
gz="$(gzip -9 -c "$here/pkg/web/kezek_core_bg.wasm" | wc -c)"
echo "==> kezek_core_bg.wasm: $raw bytes, $gz bytes gzipped (gzip -9)"
