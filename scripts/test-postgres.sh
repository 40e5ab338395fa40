#!/usr/bin/env bash
# The center's own test suite again, with its store on PostgreSQL (each test binary starts a
# throw-away cluster: `initdb` into a temporary folder, `postgres` on 127.0.0.1). Library
# tests get a fresh database per center; the tests of the real binary make their center with
# `init --store URL --store-owner OWNER_URL` (center/tests/common/proc.rs), except those of
# the embedded store's own files (disk faults, a damaged accepted.log).
#
# It runs the test binaries that `cargo test --workspace --all-features` already built
# instead of asking cargo for `-p kezek-center`: with one package selected, cargo unifies
# features differently and rebuilds every dependency a second time (twice the disk, which
# once filled a CI machine, and ten more minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t binaries < <(
  cargo test --workspace --all-features --no-run --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    try:
        message = json.loads(line)
    except ValueError:
        continue
    if message.get("reason") != "compiler-artifact" or not message.get("executable"):
        continue
    if not message["profile"]["test"]:
        continue
    if message["manifest_path"].endswith("/center/Cargo.toml"):
        print(message["executable"])
')
[ ${#binaries[@]} -gt 0 ] || { echo "test-postgres: no kezek-center test binary was built" >&2; exit 1; }

cd center
export KEZEK_TEST_STORE=postgres CARGO_MANIFEST_DIR="$PWD" CARGO_PKG_NAME=kezek-center
failed=0
for binary in "${binaries[@]}"; do
  echo "test-postgres: $(basename "$binary")"
  "$binary" || failed=1
done
exit "$failed"
