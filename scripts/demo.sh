#!/usr/bin/env bash
# The main job: a local signed feed on 127.0.0.1 and a real check against it.
# Opens the tray app where a display exists; otherwise runs the check in the terminal.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/venv.sh"
exec "$root/.venv/bin/updater-publish" demo "$@"
