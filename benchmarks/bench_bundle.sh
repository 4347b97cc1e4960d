#!/usr/bin/env bash
# Build the one-folder bundle with build_installer.spec and report its size (budget 125 MB).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/venv.sh"
"$root/.venv/bin/python" -m pip install -q pyinstaller
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath "$work/dist" \
  --workpath "$work/build" build_installer.spec
end=$(date +%s)
bytes=$(du -sb "$work/dist/glass-updater" | cut -f1)
mb=$((bytes / 1000000))
echo "bundle: ${mb} MB in $((end - start)) s (budget 125 MB) $([ "$mb" -le 125 ] && echo OK || echo OVER BUDGET)"
QT_QPA_PLATFORM=offscreen "$work/dist/glass-updater/updater" audit --format text | head -2
QT_QPA_PLATFORM=offscreen "$work/dist/glass-updater/glass-updater" --selftest-quit-after-ms 0 \
  && echo "bundled tray app starts and quits: OK"
