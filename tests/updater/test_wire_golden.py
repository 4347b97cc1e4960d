"""Wire bytes pinned by golden files, so a refactor can prove it changed no byte.

A fixed set of requests is built through the façade (``preview``, ``preview_download``)
and a fixed set of checks and downloads is run against the transport double (scripted
by path); the preview bytes and the ledger's recorded bytes (with their status, headers
and outcome) must equal ``tests/data/wire-golden/*.txt`` exactly. The files were made
before the refactor of issue 11 and are only ever regenerated on purpose:

    GLASS_WRITE_GOLDEN=1 python -m pytest tests/updater/test_wire_golden.py

A real-socket case reads what a loopback server received, with its port written as
``{PORT}``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import pytest
from glass_updater.errors import Cause, TransportError, UpdaterError
from glass_updater.model import Asset, CheckResult, CheckStatus, Release
from glass_updater.paths import Paths
from glass_updater.reasons import Reason, Why
from glass_updater.updater import Updater
from glass_updater.wire_types import Exchange, OutboundRequest

from tests.doubles import Handler, MockTransport, Response, routes
from tests.loopback import LoopbackServer, Reply
from tests.sim import NOW, FeedSimulator
from tests.updater.test_updater import make_config

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "wire-golden"
WRITE = os.environ.get("GLASS_WRITE_GOLDEN") == "1"
MIRROR = "mirror.example.com"
ETAG = '"asset-etag-1"'


def compare(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if WRITE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; write it with GLASS_WRITE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"wire bytes differ from {path.name}"


def show(data: bytes) -> str:
    """Bytes as readable text; anything outside printable ASCII as \\xNN."""
    out = []
    for b in data:
        if b == 0x0A:
            out.append("\\n\n")
        elif b == 0x0D:
            out.append("\\r")
        elif 0x20 <= b < 0x7F and b != 0x5C:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "".join(out)


def show_request(request: OutboundRequest) -> str:
    parts = [f"url: {request.url}\nmax_body: {request.max_body}\n"]
    for t in request.transmissions:
        parts.append(f"--- {t.channel.value}\n{show(t.data)}\n")
    return "".join(parts)


@pytest.fixture
def sim() -> FeedSimulator:
    s = FeedSimulator()
    s.add_release("1.4.0", notes="faster")
    return s


def updater_for(
    sim: FeedSimulator, tmp_path: Path, transport: object = None, **overrides: object
) -> Updater:
    return Updater(
        make_config(sim, **{"redirect_hosts": (MIRROR,), **overrides}),
        paths=Paths.under(tmp_path / "state"),
        transport=transport,  # type: ignore[arg-type]
        clock=lambda: NOW,
        policy_path=tmp_path / "no-policy.toml",
        preflight_downloads=False,  # no installation here: fetch the file, as --dest does
    )


def ledger_text(paths: Paths) -> str:
    """The log as written, without the fields that differ from run to run."""
    lines = (paths.log / "transmissions.jsonl").read_text().splitlines()
    parts = []
    for line in lines:
        obj = json.loads(line)
        for volatile in ("id", "time", "duration"):
            obj.pop(volatile, None)
        sent = obj.pop("sent")
        parts.append(json.dumps(obj, sort_keys=True) + "\n")
        for t in sent:
            parts.append(f"--- {t['channel']}\n{show(base64.b64decode(t['b64']))}\n")
        parts.append("===\n")
    return "".join(parts)


PROXIES = {
    "direct": "none",
    "http-proxy": "http://alice:s3cret@proxy.example.net:3128",
    "http-proxy-anonymous": "http://proxy.example.net:8080",
    "socks5h": "socks5h://bob:pw@127.0.0.1:1080",
    "socks5h-anonymous": "socks5h://127.0.0.1:1080",
}


@pytest.mark.parametrize("name", sorted(PROXIES))
def test_check_preview_bytes(name: str, sim: FeedSimulator, tmp_path: Path) -> None:
    updater = updater_for(sim, tmp_path, proxy=PROXIES[name])
    compare(f"preview-check-{name}", show_request(updater.preview()))


def test_check_preview_bytes_without_version(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = updater_for(sim, tmp_path, remove_fields=("version",))
    compare("preview-check-no-version", show_request(updater.preview()))


def test_check_preview_bytes_plain_http_loopback(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = updater_for(sim, tmp_path, feed_url="http://127.0.0.1:8080/demo-app/feed.json")
    compare("preview-check-loopback-http", show_request(updater.preview()))


@pytest.mark.parametrize("name", ["direct", "http-proxy", "socks5h"])
def test_download_preview_bytes(name: str, sim: FeedSimulator, tmp_path: Path) -> None:
    updater = updater_for(sim, tmp_path, proxy=PROXIES[name])
    asset = Asset(
        platform="linux-x86_64",
        kind="appimage",
        url="https://updates.example.com/demo-app/demo-app-1.4.0-linux-x86_64.appimage",
        size=1234,
        sha256="ab" * 32,
    )
    compare(f"preview-download-{name}", show_request(updater.preview_download(asset)))


def _feed_redirect(sim: FeedSimulator) -> dict[str, list[Response | Handler]]:
    mirror_feed = f"https://{MIRROR}/feeds/demo-app.json"
    return {
        sim.feed_path: [Response(302, (("Location", mirror_feed), ("Content-Length", "0")))],
        "/feeds/demo-app.json": [
            Response(200, (("Content-Type", "application/json"), ("ETag", '"feed-1"')),
                     sim.feed_bytes())
        ],
    }


def test_recorded_check_and_resumed_download(sim: FeedSimulator, tmp_path: Path) -> None:
    """Check through a redirect; a download cut half-way; the resume with Range."""
    asset_path = "/demo-app/demo-app-1.4.0-linux-x86_64.appimage"
    body = sim.assets[asset_path]
    half = len(body) // 2
    headers = (("Content-Length", str(len(body))), ("ETag", ETAG))

    def cut(request: OutboundRequest) -> Response:
        failure = TransportError(
            "the connection was closed before the download was complete",
            Exchange(request, request.transmissions, 200, "OK", headers,
                     bytes_received=half, error="connection closed"),
            cause=Cause.CONNECTION_LOST,
        )
        return Response(200, headers, body, drop_after=half, failure=failure)

    rest = Response(
        206,
        (("Content-Range", f"bytes {half}-{len(body) - 1}/{len(body)}"),
         ("Content-Length", str(len(body) - half)), ("ETag", ETAG)),
        body[half:],
    )
    transport = MockTransport(routes({**_feed_redirect(sim), asset_path: [cut, rest]}))
    updater = updater_for(sim, tmp_path, transport)
    result = updater.check()
    with pytest.raises(TransportError):
        updater.download(result, on_progress=lambda _p: None)
    verified = updater.download(result, on_progress=lambda _p: None)
    assert verified.path.read_bytes() == body
    compare("recorded-check-redirect-cut-resume", ledger_text(updater.paths))


@pytest.mark.parametrize("name", ["http-proxy", "socks5h"])
def test_recorded_check_through_proxy(name: str, sim: FeedSimulator, tmp_path: Path) -> None:
    transport = MockTransport(routes(_feed_redirect(sim)))
    updater = updater_for(sim, tmp_path, transport, proxy=PROXIES[name])
    updater.check()
    compare(f"recorded-check-{name}", ledger_text(updater.paths))


def test_recorded_failures(sim: FeedSimulator, tmp_path: Path) -> None:
    """A 404, a redirect off the allowed hosts, and a feed signed by nobody we trust."""
    failing: list[Response] = [
        Response(404, (("Content-Length", "10"),), b"not found\n"),
        Response(302, (("Location", "https://elsewhere.example.org/f.json"),)),
        Response(200, (), FeedSimulator().feed_bytes()),
    ]
    for answer in failing:
        updater = updater_for(sim, tmp_path, MockTransport(routes({sim.feed_path: [answer]})))
        with pytest.raises(UpdaterError):
            updater.check()
    compare("recorded-failures", ledger_text(Paths.under(tmp_path / "state")))


@pytest.mark.loopback
def test_socket_bytes_of_a_check_and_download(sim: FeedSimulator, tmp_path: Path) -> None:
    """What a real server read off the socket, port aside."""
    body = b"payload " * 100

    def reply(head: bytes) -> Reply:
        if b"/feed.json" in head:
            return Reply(body=b"not a feed")
        return Reply(body=body, headers=(("ETag", ETAG),))

    with LoopbackServer(reply) as server:
        updater = updater_for(sim, tmp_path, None, feed_url=server.url("/demo-app/feed.json"))
        with pytest.raises(UpdaterError):
            updater.check()
        asset = Asset(platform="linux-x86_64", kind="appimage",
                      url=server.url("/demo-app/a.appimage"), size=len(body),
                      sha256=hashlib.sha256(body).hexdigest())
        release = Release(version="1.4.0", channel="stable", published=NOW, critical=False,
                          min_os=(), notes="", assets=(asset,))
        updater.download(
            CheckResult(status=CheckStatus.UPDATE_AVAILABLE, current_version="1.0.0",
                        why=Reason(Why.AVAILABLE, release.version), release=release,
                        asset=asset, feed_serial=1),
            on_progress=lambda _p: None,
        )
        received = server.wait_connections(2)
    text = "".join(f"--- connection {i}\n{show(raw)}\n" for i, raw in enumerate(received))
    compare("socket-check-and-download", text.replace(str(server.port), "{PORT}"))
