# Kezek tasks. `just --list` shows them all.

set shell := ["bash", "-euo", "pipefail", "-c"]

export CARGO_TERM_COLOR := env_var_or_default("CARGO_TERM_COLOR", "auto")

# The kiosk with demo data: the GUI when there is a display, else the headless demo.
demo:
    cargo build --release -p kezek-kiosk --features gui
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then \
      ./target/release/kezek-kiosk --data target/demo-kiosk demo; \
    else \
      ./target/release/kezek-kiosk --data target/demo-kiosk demo --headless; \
    fi

# The whole test suite: lints, native tests, WASM tests, node tests, parity, browser tests.
test: lint test-native test-postgres test-wasm test-portal test-console test-parents

# Formatting and clippy with warnings as errors.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets --all-features -- -D warnings
    cargo deny --log-level error check licenses bans sources

# Native tests of every crate (rules, changelog, kiosk incl. GUI, center, end-to-end).
test-native:
    cargo test --workspace --all-features

# The center's own suite again with its store on PostgreSQL (a throw-away cluster the tests
# start: `initdb` into a temporary folder, `postgres` on 127.0.0.1), on the binaries that
# test-native built.
test-postgres:
    bash scripts/test-postgres.sh

# The rules compiled to WebAssembly: wasm-bindgen tests under Node, the npm package's
# node:test suite and the native-vs-WASM differential test.
test-wasm: wasm
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test -p kezek-wasm --target wasm32-unknown-unknown
    node --test wasm-pkg/test/
    KEZEK_WASM_SKIP_BUILD=1 bash wasm-pkg/test/differential.sh

# The parents' portal in headless Chromium.
test-portal: wasm
    cd portal && node --test test/

# The center's staff console in headless Chromium, against a real `kezek-center serve` and a
# real kiosk (e2e/; screenshots -> docs/screenshots/console-*.png).
test-console:
    cargo build -p kezek-center -p kezek-kiosk --bin kezek-center --bin kezek-kiosk
    node --test e2e/console.test.mjs

# The parents' portal in connected mode on a phone, against a real `kezek-center serve
# --portal .` and a real kiosk (e2e/parent.test.mjs; screenshots ->
# docs/screenshots/portal-connected-*.png).
test-parents: wasm
    cargo build -p kezek-center -p kezek-kiosk --bin kezek-center --bin kezek-kiosk
    node --test e2e/parent.test.mjs

# Builds wasm-pkg/pkg/node (CommonJS) and wasm-pkg/pkg/web (ES module).
wasm:
    bash wasm-pkg/build.sh

# Serves the parents' portal on 127.0.0.1.
portal port="8080": wasm
    node portal/serve.mjs {{port}}

# Benchmarks; each prints its baseline measured in the same run and the ratio. The center's
# ingest runs on the embedded store and on PostgreSQL (a throw-away cluster it starts).
bench: wasm
    cargo run --release -p kezek-bench --bin rank
    cargo run --release -p kezek-kiosk --features testkit --bin kiosk-bench
    cargo run --release -p kezek-center --bin center-bench -- --store both
    cargo run --release -p kezek-kiosk --features gui --example journal_frames
    node portal/bench.mjs
    KEZEK_LOAD_ENTRIES=500 KEZEK_LOAD_CHUNK=50 cargo test --release -p kezek-center --test load -- --nocapture

# The center at national scale on both stores: 1,000,000 applications from 3,000 kiosks in
# 17 regions (204 districts); ingest, start (replay), a district's snapshot, a region's
# distribution round. About 4 minutes and 7 GB of memory on 2 cores.
bench-national applications="1000000" kiosks="3000":
    cargo run --release -p kezek-center --bin center-bench -- --national --store both --applications {{applications}} --national-kiosks {{kiosks}}

# Screenshots of the kiosk in a real window under Xvfb, into docs/screenshots/.
screenshot:
    bash scripts/screenshots.sh

# Long runs: the fuzz targets with `cases` cases each (CI runs a short budget in `cargo test`), and other long runs.
soak cases="20000":
    KEZEK_FUZZ_CASES={{cases}} cargo test --release -p kezek-fuzz -- --nocapture
    KEZEK_KILL_RUNS=500 cargo test --release -p kezek-center --test faults -- --nocapture
    KEZEK_LOAD_KIOSKS=300 KEZEK_LOAD_ENTRIES=1000 KEZEK_LOAD_CHUNK=250 cargo test --release -p kezek-center --test load -- --nocapture
