"""A publisher's whole session, as docs/publishing.md walks through it: real CLI subprocesses.

keygen -> release 1.1.0 (AppImage + .deb) -> serve --tls -> client 1.0.0 checks and
downloads -> release 1.2.0 -> server restart (same CA) -> resign -> withdraw 1.2.0 ->
clients told -> refusals change nothing -> import a Sparkle appcast and sign it.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_schema import validate_cli_output
from tests.e2e.netwatch import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.loopback]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def publish(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glass_updater.publish", *argv],
        capture_output=True, text=True, timeout=120, cwd=cwd, env=ENV, check=False,
    )


def updater(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glass_updater", *argv],
        capture_output=True, text=True, timeout=120, cwd=cwd, env=ENV, check=False,
    )


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, proc.stderr
    return proc


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(root)): (stat.S_IMODE(p.stat().st_mode),
                                   p.read_bytes() if p.is_file() else b"")
        for p in sorted(root.rglob("*"))
    }


def read_line(proc: subprocess.Popen[bytes]) -> str:
    """One stdout line, waiting at most 30 s per byte (a server that never starts fails)."""
    assert proc.stdout is not None
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, f"the server printed only {line!r}"
        byte = proc.stdout.read(1)
        assert byte, f"the server exited after printing {line!r}"
        line += byte
    return line.decode().strip()


class Server:
    """``updater-publish serve --tls`` as a subprocess; stops with Ctrl-C (SIGINT)."""

    def __init__(self, site: Path, cwd: Path, port: int = 0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "glass_updater.publish", "serve", "--dir", str(site),
             "--port", str(port), "--tls"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd, env=ENV,
            bufsize=0,  # unbuffered: select() sees exactly what readline() has not read
        )
        self.url = read_line(self.proc).rstrip("/")
        self.ca_line = read_line(self.proc)
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def config(path: Path, *, version: str, url: str, key: str, ca_line: str) -> Path:
    path.write_text(
        f"""[product]
id = "demo-app"
name = "Demo App"
version = "{version}"
platform = "linux-x86_64"

[feed]
url = "{url}/feed.json"
trusted_keys = ["{key}"]
{ca_line}

[network]
proxy = "none"

[install]
command = ["/bin/sh", "{{file}}"]
""",
        encoding="utf-8",
    )
    return path


def check(work: Path, cfg: Path, state: Path) -> dict[str, object]:
    proc = ok(updater("check", "--json", "--config", str(cfg), "--state-dir", str(state),
                      cwd=work))
    doc: dict[str, object] = validate_cli_output(proc.stdout)  # the documented schema
    return doc


def versions(doc: dict[str, object], key: str = "missed") -> list[str]:
    items = doc[key]
    assert isinstance(items, list)
    return [str(item["version"]) for item in items]


APPCAST = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:sparkle="http://www.andymatuschak.org/xml-namespaces/sparkle">
  <channel>
    <title>Demo App</title>
    <item>
      <title>Demo App 0.9</title>
      <pubDate>Mon, 05 Jan 2026 10:00:00 +0000</pubDate>
      <sparkle:version>90</sparkle:version>
      <sparkle:shortVersionString>0.9.0</sparkle:shortVersionString>
      <sparkle:criticalUpdate/>
      <description><![CDATA[<p>Last Sparkle release.</p>]]></description>
      <enclosure url="https://downloads.example.com/demo/DemoApp-0.9.0.dmg" length="700"
                 type="application/octet-stream" sparkle:edSignature="c2ln"/>
    </item>
  </channel>
</rss>
"""


def test_publishing_session_from_a_clean_state(tmp_path: Path, servers: list[Server]) -> None:
    work = tmp_path / "publisher"
    build = work / "build"
    site = work / "site"
    build.mkdir(parents=True)
    site.mkdir()

    # 1. keygen
    key = ok(publish("keygen", "--out", "keys", cwd=work)).stdout.strip()
    assert key.startswith("ed25519:")

    # 2. serve the (empty) site over TLS; the CA sits beside the site and is printed.
    server = Server(site, work)
    servers.append(server)
    assert server.url.startswith("https://127.0.0.1:")
    ca_file = (work / "site-tls" / "cert.pem").resolve()
    assert server.ca_line == f'ca_file = "{ca_file}"'

    # 3. release 1.1.0 with an AppImage and a .deb
    app_110 = build / "demo-app-1.1.0-x86_64.AppImage"
    app_110.write_bytes(b"#!/bin/sh\necho demo 1.1.0\n" * 100)
    deb_110 = build / "demo-app_1.1.0_amd64.deb"
    deb_110.write_bytes(b"!<arch>\ndebian-binary 1.1.0\n" * 80)
    (work / "notes-1.1.0.md").write_text("Security fix for the settings file.\n")
    proc = ok(publish("release", "--key", "keys/private.key", "--product", "demo-app",
                      "--version", "1.1.0", "--critical", "--notes", "notes-1.1.0.md",
                      "--base-url", server.url, "--site", "site", str(app_110), str(deb_110),
                      cwd=work))
    assert "first feed, serial 1" in proc.stdout
    assert "linux-x86_64 appimage" in proc.stdout and "linux-x86_64 deb" in proc.stdout

    # 4. client 1.0.0 checks and downloads
    cfg_100 = config(work / "client-1.0.0.toml", version="1.0.0", url=server.url, key=key,
                     ca_line=server.ca_line)
    state_100 = tmp_path / "state-1.0.0"
    doc = check(work, cfg_100, state_100)
    assert doc["status"] == "update-available" and doc["critical"] is True
    assert versions(doc) == ["1.1.0"]
    dest = tmp_path / "downloads"
    proc = ok(updater("download", "--json", "--config", str(cfg_100), "--state-dir",
                      str(state_100), "--dest", str(dest), cwd=work))
    got = validate_cli_output(proc.stdout)
    assert got["status"] == "downloaded"
    downloaded = Path(got["path"])
    assert downloaded.read_bytes() in (app_110.read_bytes(), deb_110.read_bytes())
    assert downloaded.read_bytes() == (site / downloaded.name).read_bytes()

    # 5. release 1.2.0 (not critical): the user on 1.0.0 sees both releases' notes, newest
    #    first, and the update stays critical because 1.1.0 was.
    app_120 = build / "demo-app-1.2.0-x86_64.AppImage"
    app_120.write_bytes(b"#!/bin/sh\necho demo 1.2.0\n" * 100)
    (work / "notes-1.2.0.md").write_text("A new look.\n")
    proc = ok(publish("release", "--key", "keys/private.key", "--version", "1.2.0",
                      "--notes", "notes-1.2.0.md", "--site", "site", str(app_120), cwd=work))
    assert "serial 1 -> 2" in proc.stdout
    doc = check(work, cfg_100, state_100)
    assert doc["latest"]["version"] == "1.2.0"  # type: ignore[index]
    assert doc["latest"]["critical"] is False  # type: ignore[index]
    assert versions(doc) == ["1.2.0", "1.1.0"] and doc["critical"] is True
    text = ok(updater("check", "--config", str(cfg_100), "--state-dir", str(state_100),
                      cwd=work)).stdout
    assert text.index("A new look.") < text.index("Security fix for the settings file.")
    assert "critical" in text

    # 6. the server restarts on the same port: same CA, the same client config still works
    server.stop()
    servers.remove(server)
    again = Server(site, work, port=server.port)
    servers.append(again)
    assert again.ca_line == server.ca_line
    assert check(work, cfg_100, state_100)["status"] == "update-available"

    # 7. resign (the weekly job): serial + 1, same releases
    proc = ok(publish("resign", "--key", "keys/private.key", "--site", "site", cwd=work))
    assert "serial 2 -> 3" in proc.stdout and "releases unchanged" in proc.stdout
    assert versions(check(work, cfg_100, state_100)) == ["1.2.0", "1.1.0"]

    # 8. withdraw 1.2.0 with a reason
    proc = ok(publish("release", "--key", "keys/private.key", "--withdraw", "1.2.0",
                      "--reason", "Corrupts settings when upgrading from 1.0", "--site", "site",
                      cwd=work))
    assert "serial 3 -> 4" in proc.stdout
    doc = check(work, cfg_100, state_100)  # never offered again
    assert doc["latest"]["version"] == "1.1.0" and versions(doc) == ["1.1.0"]  # type: ignore[index]
    assert doc["withdrawn"] is None
    cfg_120 = config(work / "client-1.2.0.toml", version="1.2.0", url=again.url, key=key,
                     ca_line=again.ca_line)
    state_120 = tmp_path / "state-1.2.0"
    doc = check(work, cfg_120, state_120)  # a user already on 1.2.0 is told why
    assert doc["status"] == "update-available"
    assert doc["withdrawn"] == {"version": "1.2.0",
                                "reason": "Corrupts settings when upgrading from 1.0"}
    assert doc["latest"]["version"] == "1.1.0"  # type: ignore[index]
    text = ok(updater("check", "--config", str(cfg_120), "--state-dir", str(state_120),
                      cwd=work)).stdout
    assert "Your version 1.2.0 was withdrawn by the publisher: Corrupts settings" in text
    assert "Go back to the newest good version: Demo App 1.1.0" in text

    # 9. refusals: one line each, saying what to fix, and nothing changes on disk
    (build / "demo-app-1.1.0-x86_64.AppImage").write_bytes(b"rebuilt\n")  # same name, new bytes
    before = snapshot(work)
    refusals = [
        publish("release", "--key", "keys/private.key", "--version", "1.3.0", "--site", "site",
                str(build / "demo-app-1.1.0-x86_64.AppImage"), cwd=work),
        publish("release", "--key", "keys/private.key", "--version", "1.2.0", "--site", "site",
                str(app_120), cwd=work),
        publish("release", "--key", "keys/private.key", "--withdraw", "1.2.0", "--reason", "x",
                "--site", "site", cwd=work),
        publish("release", "--key", "keys/private.key", "--version", "1.3.0", "--site", "site",
                str(work / "notes-1.2.0.md"), cwd=work),
        publish("resign", "--key", "keys/private.key", "--site", "site", "--expires-in", "9y",
                cwd=work),
    ]
    for proc in refusals:
        assert proc.returncode != 0, proc.stdout
        assert proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("updater-publish: ")
    assert "already published with other bytes" in refusals[0].stderr
    assert snapshot(work) == before

    # 10. import a Sparkle appcast, then sign the payload with the files checked
    (work / "appcast.xml").write_text(APPCAST, encoding="utf-8")
    legacy = work / "legacy"
    legacy.mkdir()
    (legacy / "DemoApp-0.9.0.dmg").write_bytes(b"d" * 700)
    proc = ok(publish("import-appcast", "appcast.xml", "--assets", "legacy", "--product",
                      "demo-app", "--out", "legacy-payload.json", cwd=work))
    assert "EdDSA archive signatures" in proc.stderr
    payload = json.loads((work / "legacy-payload.json").read_text())
    (release,) = payload["releases"]
    assert release["version"] == "0.9.0" and release["critical"] is True
    assert {a["platform"] for a in release["assets"]} == {"macos-arm64", "macos-x86_64"}
    assert release["assets"][0]["sha256"] == hashlib.sha256(b"d" * 700).hexdigest()
    ok(publish("sign", "--key", "keys/private.key", "legacy-payload.json", "--site", "legacy",
               "--out", "legacy/feed.json", cwd=work))
    proc = ok(publish("verify", "--key", "keys/public.key", "legacy/feed.json", cwd=work))
    assert "0.9.0 [stable critical]" in proc.stdout
