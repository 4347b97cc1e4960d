#!/usr/bin/env bash
# Create .venv once (or after pyproject.toml changes) and install glass-updater into it.
# Used by scripts/demo.sh and scripts/test.sh, so each Quick-start command sets itself up.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.installed"
py="${PYTHON:-python3}"

need_apt=()
if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  need_apt+=(python3-venv)
fi
# Qt's offscreen and xcb platform plugins need these shared libraries (Debian 12 names).
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 libglib-2.0.so.0; do
  if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then
    case "$lib" in
      libEGL.so.1) need_apt+=(libegl1) ;;
      libGL.so.1) need_apt+=(libgl1) ;;
      libxkbcommon.so.0) need_apt+=(libxkbcommon0) ;;
      libfontconfig.so.1) need_apt+=(libfontconfig1) ;;
      libdbus-1.so.3) need_apt+=(libdbus-1-3) ;;
      libglib-2.0.so.0) need_apt+=(libglib2.0-0) ;;
    esac
  fi
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing system packages: ${need_apt[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "missing system packages: ${need_apt[*]} (install them with apt-get, then re-run)" >&2
    exit 2
  fi
fi

if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  "$venv/bin/python" -m pip install -q -e "$root[test]"
  touch "$stamp"
fi
