"""FeedServer over HTTP and HTTPS: files, Range/If-Range/ETag, and the raw request log."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest
from glass_updater.publish.devcert import ensure_certificate
from glass_updater.publish.serve import FeedServer

pytestmark = pytest.mark.loopback
DATA = bytes(range(256)) * 40  # 10240 bytes


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "demo-app").mkdir(parents=True)
    (root / "demo-app" / "asset.bin").write_bytes(DATA)
    (root / "demo-app" / "feed.json").write_bytes(b'{"payloadType": "x"}\n')
    (tmp_path / "secret.txt").write_text("outside the site")
    return root


def exchange(server: FeedServer, head: bytes, *, ca: Path | None = None) -> bytes:
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock: socket.socket = raw
    if ca is not None:
        context = ssl.create_default_context(cafile=str(ca))
        sock = context.wrap_socket(raw, server_hostname="127.0.0.1")
    with sock:
        sock.sendall(head)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def get(path: str, *headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def split(response: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def test_serves_file_with_length_and_etag(site: Path) -> None:
    with FeedServer(site) as server:
        assert server.url.startswith("http://127.0.0.1:") and not server.url.endswith("/")
        status, headers, body = split(exchange(server, get("/demo-app/asset.bin?x=1")))
    assert status == 200 and body == DATA
    assert headers["content-length"] == str(len(DATA))
    assert headers["etag"].startswith('"') and headers["accept-ranges"] == "bytes"


def test_request_log_holds_raw_head_bytes(site: Path) -> None:
    head = get("/demo-app/feed.json?product=demo-app&version=1.0.0", "User-Agent: glass-updater")
    with FeedServer(site) as server:
        exchange(server, head)
        exchange(server, get("/missing"))
        log = server.request_log
    assert log == (head, get("/missing"))


def test_range_and_if_range(site: Path) -> None:
    with FeedServer(site) as server:
        _, headers, _ = split(exchange(server, get("/demo-app/asset.bin")))
        etag = headers["etag"]
        status, headers, body = split(exchange(server, get("/demo-app/asset.bin",
                                                           "Range: bytes=100-")))
        assert (status, body) == (206, DATA[100:])
        assert headers["content-range"] == f"bytes 100-{len(DATA) - 1}/{len(DATA)}"
        status, _, body = split(exchange(server, get("/demo-app/asset.bin",
                                                     "Range: bytes=10-19")))
        assert (status, body) == (206, DATA[10:20])
        status, _, body = split(exchange(server, get("/demo-app/asset.bin",
                                                     "Range: bytes=-5")))
        assert (status, body) == (206, DATA[-5:])
        status, _, body = split(exchange(server, get(
            "/demo-app/asset.bin", "Range: bytes=100-", f"If-Range: {etag}")))
        assert (status, body) == (206, DATA[100:])
        status, _, body = split(exchange(server, get(
            "/demo-app/asset.bin", "Range: bytes=100-", 'If-Range: "changed"')))
        assert (status, body) == (200, DATA)  # the file changed: whole file, never a splice
        status, headers, _ = split(exchange(server, get(
            "/demo-app/asset.bin", f"Range: bytes={len(DATA)}-")))
        assert status == 416 and headers["content-range"] == f"bytes */{len(DATA)}"
        status, _, _ = split(exchange(server, get("/demo-app/asset.bin", "Range: items=1-2")))
        assert status == 416


def test_not_found_and_no_path_traversal(site: Path) -> None:
    with FeedServer(site) as server:
        for path in ("/nope", "/../secret.txt", "/demo-app/../../secret.txt",
                     "/%2e%2e/secret.txt", "/demo-app"):
            status, _, body = split(exchange(server, get(path)))
            assert status == 404, path
            assert b"outside" not in body


def test_https_with_generated_certificate(site: Path, tmp_path: Path) -> None:
    with FeedServer(site, tls=True, cert_dir=tmp_path / "tls") as server:
        assert server.url.startswith("https://127.0.0.1:")
        assert server.ca_file == tmp_path / "tls" / "cert.pem"
        head = get("/demo-app/asset.bin", "Range: bytes=5-9")
        status, _, body = split(exchange(server, head, ca=server.ca_file))
        assert (status, body) == (206, DATA[5:10])
        assert server.request_log == (head,)
        other = ensure_certificate(tmp_path / "other" / "ca.pem")  # a CA the server does not use
        with pytest.raises(ssl.SSLCertVerificationError):
            exchange(server, head, ca=other.ca_file)
        assert len(server.request_log) == 1  # the refused client sent nothing


def test_https_cert_valid_for_localhost(site: Path, tmp_path: Path) -> None:
    with FeedServer(site, tls=True, cert_path=tmp_path / "c.pem") as server:
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        context = ssl.create_default_context(cafile=str(tmp_path / "c.pem"))
        with context.wrap_socket(raw, server_hostname="localhost") as sock:
            sock.sendall(get("/demo-app/feed.json"))
            assert sock.recv(12) == b"HTTP/1.1 200"


def test_stalled_tls_client_does_not_block_others(site: Path, tmp_path: Path) -> None:
    with FeedServer(site, tls=True, cert_dir=tmp_path) as server:
        stalled = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        try:
            status, _, _ = split(exchange(server, get("/demo-app/feed.json"),
                                          ca=server.ca_file))
            assert status == 200
        finally:
            stalled.close()


def test_stop_releases_the_port(site: Path) -> None:
    server = FeedServer(site).start()
    port = server.port
    server.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_tls_certificate_is_kept_beside_the_folder_and_reused_across_restarts(
    site: Path, tmp_path: Path
) -> None:
    """A client (or a build) that trusts the CA file keeps working after a restart."""
    with FeedServer(site, tls=True) as server:
        ca = server.ca_file
        assert ca == tmp_path / "site-tls" / "cert.pem" and server.cert_created
        first = exchange(server, get("/demo-app/asset.bin"), ca=ca)
    assert not any(p.suffix in (".pem", ".key") for p in site.rglob("*"))  # never served
    ca_bytes = ca.read_bytes()
    leaf = (tmp_path / "site-tls" / "cert-server.pem").read_bytes()
    assert oct((tmp_path / "site-tls" / "cert.key").stat().st_mode & 0o777) == "0o600"
    with FeedServer(site, tls=True) as again:
        assert not again.cert_created
        status, headers, body = split(exchange(again, get("/demo-app/asset.bin"), ca=ca))
    first_status, first_headers, first_body = split(first)
    # Same answer, apart from the Date header (the two requests may straddle a second).
    headers.pop("date"), first_headers.pop("date")
    assert (status, headers, body) == (first_status, first_headers, first_body)
    assert ca.read_bytes() == ca_bytes
    assert (tmp_path / "site-tls" / "cert-server.pem").read_bytes() == leaf


def test_expiring_leaf_is_renewed_under_the_same_ca(tmp_path: Path) -> None:
    import datetime as dt

    from glass_updater.publish.devcert import LEAF_DAYS, ensure_certificate

    ca_file = tmp_path / "tls" / "cert.pem"
    made = ensure_certificate(ca_file)
    assert made.created_ca and made.created_leaf
    again = ensure_certificate(ca_file)
    assert not again.created_ca and not again.created_leaf and again.chain_pem == made.chain_pem
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=LEAF_DAYS - 1)
    renewed = ensure_certificate(ca_file, now=later)
    assert not renewed.created_ca and renewed.created_leaf
    assert renewed.chain_pem != made.chain_pem
    # A damaged CA is replaced (and said so), never half-used.
    (tmp_path / "tls" / "cert.key").write_bytes(b"garbage")
    assert ensure_certificate(ca_file).created_ca
