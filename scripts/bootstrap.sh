#!/usr/bin/env bash
# Installs what Kezek needs to build, run and test, on Debian 12 with rustup's stable Rust.
# Idempotent: every step checks first and does nothing when the tool is already there.
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130
say() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }

if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO=""; fi

# Debian packages: linker, Python venv (for `just`), Node (for the WASM package tests),
# Chromium (portal browser tests), Xvfb + Mesa (GUI window and screenshots), strace (durability test),
# PostgreSQL (the center's production store: its tests start a throw-away cluster, no service).
apt_packages=(build-essential pkg-config python3-venv strace xvfb xauth xdotool imagemagick
  libgl1-mesa-dri libegl1 libxkbcommon-x11-0 libvulkan1 mesa-vulkan-drivers chromium postgresql)
command -v node >/dev/null && command -v npm >/dev/null || apt_packages+=(nodejs npm)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && { [ -z "$SUDO" ] && [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then
    say "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    say "WARNING: cannot install ${missing[*]} (no apt-get or no root); some tests will be skipped"
  fi
fi

command -v cargo >/dev/null || { say "Rust is missing: install it with rustup (https://rustup.rs) first"; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"

if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# cargo-deny for `just lint` (licences, bans, sources; see deny.toml): about 5 CPU-minutes to build.
if ! cargo deny --version >/dev/null 2>&1; then
  say "installing cargo-deny"
  cargo install cargo-deny --locked
fi

# Python tools in one venv: `just` (PyPI package rust-just) and `holidays`, the reference that
# data/tools/holidays_table.py prints the table data/holidays-kz.json from.
HOLIDAYS_VERSION=0.109
venv="$HOME/.local/share/kezek/tools-venv"
if [ ! -x "$venv/bin/pip" ]; then
  say "making the Python tools venv $venv"
  python3 -m venv "$venv"
fi
if ! command -v just >/dev/null; then
  say "installing just (PyPI package rust-just, in a venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check rust-just
  ln -sf "$venv/bin/just" "$HOME/.cargo/bin/just"
fi
if [ "$("$venv/bin/python" -c 'import holidays; print(holidays.__version__)' 2>/dev/null)" != "$HOLIDAYS_VERSION" ]; then
  say "installing holidays $HOLIDAYS_VERSION (PyPI, in the venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "holidays==$HOLIDAYS_VERSION"
fi

# Node packages of the WASM package (binaryen's wasm-opt), of the portal and of the console's
# end-to-end tests (playwright-core).
for dir in wasm-pkg portal e2e; do
  if [ -f "$dir/package.json" ] && [ ! -d "$dir/node_modules" ]; then
    say "installing npm packages in $dir"
    if [ -f "$dir/package-lock.json" ]; then (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); else (cd "$dir" && npm install --no-audit --no-fund --loglevel=error); fi
  fi
done
say "ready"
