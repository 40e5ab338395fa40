#!/usr/bin/env bash
# Screenshots of the kiosk GUI in a real window (Xvfb, software rendering) on the in-memory
# demo backend, saved as docs/screenshots/*.png. Needs xvfb-run, xauth and imagemagick's import.
#   bash scripts/screenshots.sh            # all screens
#   bash scripts/screenshots.sh journal    # only the ones whose name contains "journal"
set -euo pipefail
cd "$(dirname "$0")/.."
only="${1:-}"
out=docs/screenshots
mkdir -p "$out"
cargo build -q -p kezek-kiosk --features gui --example gui_demo
bin="${CARGO_TARGET_DIR:-target}/debug/examples/gui_demo"
demo_out="$(mktemp -d)"
trap 'rm -rf "$demo_out"' EXIT

# name, login, screen, language
shots=(
  "kiosk-01-login|||ru"
  "kiosk-02-setup|--setup||ru"
  "kiosk-03-journal|operator|journal|ru"
  "kiosk-04-register|operator|register-filled|ru"
  "kiosk-05-card-voucher|operator|card-voucher|ru"
  "kiosk-06-card-position|operator|card-queued|ru"
  "kiosk-07-choose-kindergarten|operator|dialog-choose|ru"
  "kiosk-08-staff-direction|ddo|staff|ru"
  "kiosk-09-staff-places|ddo|staff-places|ru"
  "kiosk-10-staff-enrolled|ddo|staff-enrolled|ru"
  "kiosk-11-sync|operator|sync-pushed|ru"
  "kiosk-12-admin|admin|admin|ru"
  "kiosk-13-stats|operator|stats|ru"
  "kiosk-14-journal-kk|operator|journal|kk"
  "kiosk-15-card-kk|operator|card-voucher|kk"
  "kiosk-16-staff-en|ddo|staff|en"
)
for shot in "${shots[@]}"; do
  IFS='|' read -r name login screen lang <<<"$shot"
  if [ -n "$only" ] && [[ "$name" != *"$only"* ]]; then continue; fi
  args=()
  envs=(KEZEK_DEMO_OUT="$demo_out" KEZEK_DEMO_LANG="$lang")
  if [ "$login" = "--setup" ]; then args+=(--setup); elif [ -n "$login" ]; then envs+=(KEZEK_DEMO_LOGIN="$login" KEZEK_DEMO_SCREEN="$screen"); fi
  echo "screenshot $name"
  env "${envs[@]}" SHOT_PNG="$out/$name.png" SHOT_LOG="$demo_out/$name.log" \
    xvfb-run -a -s "-screen 0 1366x800x24" bash -c '
      "$0" "$@" >/dev/null 2>"$SHOT_LOG" &
      pid=$!
      sleep "${SHOT_DELAY:-12}"
      import -window root "$SHOT_PNG"
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    ' "$bin" "${args[@]}" || { echo "failed: $name"; cat "$demo_out/$name.log"; exit 1; }
done
