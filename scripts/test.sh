#!/usr/bin/env bash
# Run the whole test suite (installs what it needs into .venv first).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GLASS_TEST_TOOLS=1 "$root/scripts/venv.sh"
cd "$root"
.venv/bin/python -m ruff check updater ui tests
.venv/bin/python scripts/namespace_links.py >/dev/null
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest "$@"
