"""``updater check`` as text: what was sent, then what was found, and nothing else.

The check runs through the same flow as download and install; its terminal driver says
nothing while checking ("Checking for updates…" is for download/install only) and never
downloads an update it found.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Site

pytestmark = [pytest.mark.e2e, pytest.mark.loopback]


def _sent(url: str, head: bytes) -> str:
    lines = "".join(f"    {line}\n" for line in head.decode("ascii").split("\r\n") if line)
    return f"Sent to {url} (to the update server, unencrypted (loopback only)):\n{lines}"


def test_update_found_is_said_after_the_bytes_and_not_downloaded(site: Site) -> None:
    proc = site.run("check")
    assert (proc.returncode, proc.stderr) == (0, "")
    (head,) = site.server.request_log  # the feed only: nothing was downloaded
    url = f"{site.server.url}/demo-app/feed.json?product=demo-app&version=1.0.0"
    sent = _sent(url, head)
    assert proc.stdout.startswith(sent + "Update available: Demo App 1.4.0 (you have 1.0.0).\n"
                                  "Release notes for 1.4.0:\n    ## Demo App 1.4.0\n")
    assert proc.stdout.endswith("\nRun `updater download` to fetch and verify it.\n")


def test_up_to_date_is_exactly_the_bytes_then_one_line(site: Site, tmp_path: Path) -> None:
    newest = tmp_path / "newest.toml"
    newest.write_text(site.config.read_text().replace('"1.0.0"', '"1.4.0"'))
    proc = site.run("check", config=newest)
    assert (proc.returncode, proc.stderr) == (0, "")
    (head,) = site.server.request_log
    url = f"{site.server.url}/demo-app/feed.json?product=demo-app&version=1.4.0"
    assert proc.stdout == (
        _sent(url, head) + "You're up to date: you are on the newest version (1.4.0)\n"
    )
