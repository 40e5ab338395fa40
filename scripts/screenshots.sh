#!/usr/bin/env bash
# Screenshots of the kiosk GUI in a real window (Xvfb, software rendering), saved as
# docs/screenshots/*.png: most on the demo world of the GUI tests (a real kiosk with the demo
# data and a center's snapshot, kiosk/tests/store_gui/demo_world.rs; 1366 px wide), the
# kiosk-store-* ones on a `kezek-kiosk demo` data folder (no center yet; 1280 px wide). Needs xvfb-run,
# xauth, imagemagick's import and xdotool (to move the pointer off the window's widgets, so
# that no hover tooltip is captured).
#   bash scripts/screenshots.sh            # all screens
#   bash scripts/screenshots.sh journal    # only the ones whose name contains "journal"
set -euo pipefail
cd "$(dirname "$0")/.."
only="${1:-}"
out=docs/screenshots
mkdir -p "$out"
cargo build -q -p kezek-kiosk --features gui --example gui_demo --bin kezek-kiosk
target="${CARGO_TARGET_DIR:-target}/debug"
bin="$target/examples/gui_demo"
demo_out="$(mktemp -d)"
trap 'rm -rf "$demo_out"' EXIT
store="$demo_out/store"
"$target/kezek-kiosk" --data "$store" --lang en demo --headless >/dev/null

# name, login, screen, language[, store (real store, 1280 px)]
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
  "kiosk-11-sync|operator|sync|ru"
  "kiosk-12-admin|admin|admin|ru"
  "kiosk-13-stats|operator|stats|ru"
  "kiosk-14-journal-kk|operator|journal|kk"
  "kiosk-15-card-kk|operator|card-voucher|kk"
  "kiosk-16-staff-en|ddo|staff|en"
  "kiosk-store-demo|operator|journal|ru|store"
  "kiosk-store-card|operator|card-queued|ru|store"
  "kiosk-store-sync|operator|sync|ru|store"
  "kiosk-store-journal-kk|operator|journal|kk|store"
  "kiosk-store-staff-en|ddo|staff|en|store"
)
for shot in "${shots[@]}"; do
  IFS='|' read -r name login screen lang backend <<<"$shot"
  if [ -n "$only" ] && [[ "$name" != *"$only"* ]]; then continue; fi
  args=()
  envs=(KEZEK_DEMO_OUT="$demo_out" KEZEK_DEMO_LANG="$lang")
  width=1366
  if [ "$backend" = "store" ]; then envs+=(KEZEK_DEMO_STORE="$store" KEZEK_DEMO_WIDTH=1280); width=1280; fi
  if [ "$login" = "--setup" ]; then args+=(--setup); elif [ -n "$login" ]; then envs+=(KEZEK_DEMO_LOGIN="$login" KEZEK_DEMO_SCREEN="$screen"); fi
  echo "screenshot $name"
  env "${envs[@]}" SHOT_PNG="$out/$name.png" SHOT_LOG="$demo_out/$name.log" SHOT_W="$width" \
    xvfb-run -a -s "-screen 0 ${width}x800x24" bash -c '
      "$0" "$@" >/dev/null 2>"$SHOT_LOG" &
      pid=$!
      sleep "${SHOT_DELAY:-12}"
      # The pointer starts in the middle of the screen: park it in the bottom-right corner
      # (the status bar has no tooltips), let the window redraw, then capture.
      xdotool mousemove "$((SHOT_W - 1))" 799
      sleep 2
      import -window root "$SHOT_PNG"
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    ' "$bin" "${args[@]}" || { echo "failed: $name"; cat "$demo_out/$name.log"; exit 1; }
done
