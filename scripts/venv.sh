#!/usr/bin/env bash
# Create .venv once (or after pyproject.toml changes) and install glass-updater into it.
# Used by scripts/demo.sh and scripts/test.sh, so each Quick-start command sets itself up.
#
# On Debian as root it first apt-installs what is missing:
#   required: python3-venv (when ensurepip is absent) and the libraries Qt's platform
#             plugins load (offscreen and xcb);
#   for tests: strace (syscall-level "no network" witness) and xvfb (real X screenshots).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.installed"
py="${PYTHON:-python3}"
with_test_tools="${GLASS_TEST_TOOLS:-0}"

required=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0
          libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
          libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0)
optional=()
[ "$with_test_tools" = 1 ] && optional=(strace xvfb)
"$py" -c 'import venv, ensurepip' >/dev/null 2>&1 || required+=(python3-venv)

missing() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || printf '%s\n' "$p"; done; }
if command -v dpkg >/dev/null && command -v apt-get >/dev/null; then
  mapfile -t need < <(missing "${required[@]}")
  mapfile -t want < <(missing "${optional[@]}")
  if [ $((${#need[@]} + ${#want[@]})) -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "installing Debian packages: ${need[*]} ${want[*]}" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null || true
      if [ ${#need[@]} -gt 0 ]; then
        apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
      fi
      if [ ${#want[@]} -gt 0 ]; then
        apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null \
          || echo "note: could not install ${want[*]}; the tests that need them will skip" >&2
      fi
    elif [ ${#need[@]} -gt 0 ]; then
      echo "missing Debian packages: ${need[*]}; run: sudo apt-get install ${need[*]}" >&2
      exit 2
    fi
  fi
fi

if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  # PYTHONWARNINGS: setuptools' "Editable installation" notice is a 10-line wall in the
  # first run of the Quick-start commands and says nothing the user can act on.
  PYTHONWARNINGS=ignore "$venv/bin/python" -m pip install -q -e "$root[test]"
  touch "$stamp"
fi
