#!/usr/bin/env bash
# Screenshots of every dialog under a real X server with a window manager (openbox) and a
# system tray (trayer), at 1x and 2x, into docs/screenshots/ (see scripts/screenshots.py).
#   apt-get install -y xvfb openbox trayer imagemagick
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/docs/screenshots"
run() {  # display, screen size, scale, suffix
  local display=$1 size=$2 scale=$3 suffix=$4
  Xvfb ":$display" -screen 0 "${size}x24" -nolisten tcp & local xvfb=$!
  sleep 1
  DISPLAY=":$display" openbox & local wm=$!
  sleep 1
  DISPLAY=":$display" trayer --edge top --align right --widthtype request --height $((24 * scale)) \
      --SetDockType true --transparent false --tint 0x303030 & local tray=$!
  sleep 1
  DISPLAY=":$display" QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR="$scale" PYTHONPATH="$root" \
      "$root/.venv/bin/python" "$root/scripts/screenshots.py" "$out" "$suffix" || status=$?
  kill "$tray" "$wm" "$xvfb" 2>/dev/null || true
  wait 2>/dev/null || true
  return "${status:-0}"
}
run 91 1280x800 1 1x
run 92 2560x1600 2 2x
run 93 1280x800 2 2x-on-1280x800  # the small HiDPI screen: every window must still fit
