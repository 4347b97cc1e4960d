"""P4, same bytes for everyone: the environment of whoever runs the check changes nothing.

Each variant runs the same check in its own subprocess (so environment variables are
read exactly as in a real start) against one loopback HTTPS server; every server-read
request must be byte-identical to the others and to the builder's preview.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from glass_updater.allowlist import load_allowlist
from glass_updater.limits import Limits
from glass_updater.request import build_check_request
from glass_updater.transport.http import HttpTransport

from tests.loopback import ConnectProxy, LoopbackServer, Reply, TestCA

pytestmark = pytest.mark.loopback


@pytest.fixture
def ca(tmp_path: Path) -> TestCA:
    return TestCA(tmp_path)

REPO = Path(__file__).resolve().parents[2]

CHILD = """
import base64, json, sys
from pathlib import Path
from glass_updater.allowlist import load_allowlist
from glass_updater.limits import Limits
from glass_updater.request import build_check_request
from glass_updater.transport.http import HttpTransport

url, ca_file = sys.argv[1], sys.argv[2]
request = build_check_request(load_allowlist(), feed_url=url, product="demo-app",
                              version="2.1.0", proxy=None, max_body=10_000)
exchange = HttpTransport(Limits(connect_timeout=5, read_timeout=5, deadline=10),
                         ca_file=Path(ca_file)).send(request)
print(json.dumps({"status": exchange.status,
                  "sent": [base64.b64encode(t.data).decode() for t in exchange.sent]}))
"""


def _variants(tmp: Path, proxy_url: str, ca: TestCA) -> dict[str, dict[str, str]]:
    netrc_home = tmp / "netrc-home"
    netrc_home.mkdir()
    netrc = netrc_home / ".netrc"
    netrc.write_text(
        "machine 127.0.0.1 login alice password hunter2\ndefault login bob password pw\n"
    )
    netrc.chmod(0o600)
    other_ca = TestCA(tmp / "other")  # trusting only this one would break verification
    bundles = {name: str(other_ca.ca_pem) for name in
               ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")}
    proxies = {name: proxy_url for name in
               ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                "ALL_PROXY")}
    identity = {"USER": "alice", "LOGNAME": "alice", "HOSTNAME": "alice-laptop"}
    locale = {"LANG": "de_DE.UTF-8", "LC_ALL": "tr_TR.UTF-8", "TZ": "Pacific/Kiritimati"}
    keylog = {"SSLKEYLOGFILE": str(tmp / "keylog.txt")}
    netrc_env = {"HOME": str(netrc_home), "NETRC": str(netrc)}
    return {
        "baseline": {},
        "netrc": netrc_env,
        "identity": identity,
        "locale-tz": locale,
        "ca-bundles": bundles,
        "keylog": keylog,
        "proxy-vars": proxies,
        "everything": {**netrc_env, **identity, **locale, **bundles, **keylog, **proxies},
    }


def test_same_bytes_whatever_the_environment(tmp_path: Path, ca: TestCA) -> None:
    with (
        LoopbackServer(Reply(body=b"feed"), tls=ca.server_context()) as server,
        ConnectProxy() as proxy,
    ):
        variants = _variants(tmp_path, proxy.url, ca)
        base_env = {
            "PATH": os.environ.get("PATH", "/usr/bin"),
            "PYTHONPATH": str(REPO),
            "HOME": str(tmp_path / "home"),
        }
        children = {
            name: subprocess.Popen(
                [sys.executable, "-c", CHILD, server.url(), str(ca.ca_pem)],
                env={**base_env, **extra}, cwd=tmp_path, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True,
            )
            for name, extra in variants.items()
        }
        outputs = {}
        for name, child in children.items():
            out, err = child.communicate(timeout=60)
            assert child.returncode == 0, f"{name}: {err}"
            outputs[name] = json.loads(out)
        reads = server.wait_connections(len(variants))
        assert proxy.heads == []  # the proxy variables were never used
    expected = build_check_request(
        load_allowlist(), feed_url=server.url(), product="demo-app", version="2.1.0",
        proxy=None, max_body=10_000,
    ).request_bytes
    assert reads == [expected] * len(variants)
    for name, result in outputs.items():
        assert result["status"] == 200, name
        assert [base64.b64decode(s) for s in result["sent"]] == [expected], name
    assert not (tmp_path / "keylog.txt").exists()


def test_cookies_and_etags_never_come_back(ca: TestCA) -> None:
    """Threat 24: the server sets a cookie and an ETag; the next check is byte-identical."""
    tracking = Reply(
        body=b"feed",
        headers=(
            ("Set-Cookie", "uid=8f3a; Path=/; Max-Age=99999999"),
            ("Set-Cookie", "session=xyz; Path=/demo-app"),
            ("ETag", '"user-8f3a"'),
            ("Last-Modified", "Tue, 24 Nov 2026 10:00:00 GMT"),
        ),
    )
    with LoopbackServer(tracking, tls=ca.server_context()) as server:
        request = build_check_request(
            load_allowlist(), feed_url=server.url(), product="demo-app", version="1.0.0",
            proxy=None, max_body=10_000,
        )
        transport = HttpTransport(Limits(connect_timeout=2, read_timeout=2), ca_file=ca.ca_pem)
        first = transport.send(request)
        second = transport.send(request)
        third = HttpTransport(Limits(connect_timeout=2, read_timeout=2), ca_file=ca.ca_pem).send(
            request
        )
        reads = server.wait_connections(3)
    assert first.header("Set-Cookie") is not None and first.header("ETag") == '"user-8f3a"'
    assert reads == [request.request_bytes] * 3
    assert first.sent == second.sent == third.sent == request.transmissions
    for read in reads:
        assert b"Cookie" not in read and b"If-None-Match" not in read and b"8f3a" not in read


NAIVE_CHILD = """
import sys, requests
requests.get(sys.argv[1], verify=sys.argv[2], timeout=5)
"""


def test_control_plain_requests_would_leak_netrc_and_versions(tmp_path: Path, ca: TestCA) -> None:
    """Control experiment: the variants above do bite a client without our precautions."""
    with LoopbackServer(Reply(body=b"feed"), tls=ca.server_context()) as server:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin"),
            "PYTHONPATH": str(REPO),
            **_variants(tmp_path, "http://127.0.0.1:9", ca)["netrc"],
        }
        subprocess.run(
            [sys.executable, "-c", NAIVE_CHILD, server.url(), str(ca.ca_pem)],
            env=env, cwd=tmp_path, check=True, timeout=60, capture_output=True,
        )
        (read,) = server.wait_connections(1)
    assert b"Authorization: Basic " in read and b"python-requests/" in read
