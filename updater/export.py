"""Export ledger entries as HAR 1.2, raw ``.http`` and JSON: pure functions, no I/O.

Auditors load HAR files into their usual tools, but HAR describes requests as parsed
headers, which is a reconstruction. So every HAR entry also carries the exact bytes that
were written, base64, in the custom ``_glass_sent`` field (HAR allows ``_``-prefixed
extensions), and the raw and JSON exports contain nothing but recorded bytes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from glass_updater.ledger import LedgerEntry
from glass_updater.meta import package_version
from glass_updater.wire_types import Channel

JSON_FORMAT = "glass-updater-ledger"


def iso_time(seconds: float) -> str:
    """ISO 8601 in UTC with milliseconds, as HAR's ``startedDateTime`` requires."""
    stamp = datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def _parse_head(head: bytes) -> tuple[str, str, list[tuple[str, str]]]:
    """Method, HTTP version and headers as they appear in the recorded request head."""
    text = head.decode("latin-1")
    lines = text.split("\r\n")
    request_line = lines[0].split(" ")
    method = request_line[0] if request_line else ""
    version = request_line[2] if len(request_line) >= 3 else "HTTP/1.1"
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            break
        name, _, value = line.partition(":")
        headers.append((name, value.strip()))
    return method, version, headers


def _pairs(items: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in items]


def _header(entry: LedgerEntry, name: str) -> str | None:
    lname = name.lower()
    return next((v for k, v in entry.response_headers if k.lower() == lname), None)


def _sent(entry: LedgerEntry) -> list[dict[str, str]]:
    return [
        {
            "channel": t.channel.value,
            "label": t.channel.label,
            "b64": base64.b64encode(t.data).decode("ascii"),
        }
        for t in entry.sent
    ]


def reached_server(entry: LedgerEntry) -> bool:
    """Whether any byte of the request itself went to the update server.

    Through a proxy, a CONNECT that was refused (or a connection that failed first) sent
    nothing of the request: not its path, not its query.
    """
    return any(t.channel is not Channel.PROXY for t in entry.sent)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def har_entry(entry: LedgerEntry) -> dict[str, object]:
    head = entry.request_bytes
    method, version, headers = _parse_head(head)
    millis = round(entry.duration * 1000.0, 3)
    status = entry.status if entry.status is not None else 0
    mime = _header(entry, "Content-Type") or "x-unknown"
    sent = reached_server(entry)
    # Only what was sent: a CONNECT-only or unsent entry names the origin, never the query.
    url = entry.url if sent else _origin(entry.url)
    query = parse_qsl(urlsplit(entry.url).query, keep_blank_values=True) if sent else []
    if not sent:
        method = method or "CONNECT" if head else entry.method
    comment = entry.outcome
    if not sent:
        what = "only the CONNECT to the proxy was sent" if head else "nothing was sent"
        comment = f"{what}; the request to the update server was never sent. {comment}"
    result: dict[str, object] = {
        "startedDateTime": iso_time(entry.time),
        "time": millis,
        "request": {
            "method": method or entry.method,
            "url": url,
            "httpVersion": version,
            "cookies": [],
            "headers": _pairs(headers),
            "queryString": _pairs(query),
            "headersSize": len(head) if head else -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": entry.reason,
            "httpVersion": "HTTP/1.1" if entry.status is not None else "",
            "cookies": [],
            "headers": _pairs(entry.response_headers),
            "content": {"size": entry.bytes_received, "mimeType": mime},
            "redirectURL": _header(entry, "Location") or "",
            "headersSize": -1,
            "bodySize": entry.bytes_received if entry.status is not None else -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": millis, "receive": 0},
        "comment": comment,
        "_glass_id": entry.id,
        "_glass_kind": entry.kind,
        "_glass_proxy": entry.proxy,
        "_glass_remote": entry.remote,
        "_glass_error": entry.error,
        "_glass_sent": _sent(entry),
    }
    if entry.remote:
        result["serverIPAddress"] = entry.remote.rsplit(":", 1)[0]
    return result


def to_har(entries: Iterable[LedgerEntry]) -> dict[str, object]:
    """A HAR 1.2 document; ``_glass_sent`` holds the exact bytes of each exchange."""
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "glass-updater", "version": package_version()},
            "pages": [],
            # HTTP exchanges only: an offline import sent nothing (it stays in the JSON).
            "entries": [har_entry(e) for e in entries if e.kind != "import"],
            "comment": "Exact bytes sent are in each entry's _glass_sent (base64).",
        }
    }


def to_raw_http(entries: Iterable[LedgerEntry]) -> bytes:
    """Each exchange's bytes exactly as written, after a ``###`` comment line naming it.

    The separator and comment lines end in LF; the recorded bytes keep their CRLF, so
    splitting on the comment lines gives back the bytes unchanged.
    """
    out = bytearray()
    for entry in entries:
        status = entry.status if entry.status is not None else "no response"
        for t in entry.sent:
            out += (
                f"### {entry.id} {entry.kind} {iso_time(entry.time)} "
                f"[{t.channel.label}] -> {status}\n"
            ).encode()
            out += t.data
            if not t.data.endswith(b"\n"):
                out += b"\n"
    return bytes(out)


def _server_head(entry: LedgerEntry) -> bytes:
    for t in reversed(entry.sent):
        if t.channel is not Channel.PROXY:
            return t.data
    return b""


def to_http(entries: Iterable[LedgerEntry]) -> bytes:
    """The history as a ``.http`` file that runners read (JetBrains HTTP Client, VS Code
    REST Client): ``###`` between requests, the request line with the absolute https URL,
    then the headers as they were sent.

    Runners would send what they read, so an exchange whose request never reached the
    server (a refused CONNECT) is written as comments only. Proxy bytes are not part of
    a request a runner can send; they are named in a comment. For the exact bytes, use
    the HAR (``_glass_sent``) or JSON export.
    """
    lines: list[str] = []
    for entry in entries:
        status = f"{entry.status} {entry.reason}".strip() if entry.status is not None else (
            "no response"
        )
        lines.append(f"### {entry.kind} {iso_time(entry.time)} -> {status}")
        lines.append(f"# {entry.outcome}" if entry.outcome else "#")
        if entry.proxy:
            lines.append(f"# through the proxy {entry.proxy}")
        head = _server_head(entry)
        if not head:
            lines.append("# the request itself was never sent:")
            lines.append(f"# {entry.method} {_origin(entry.url)}")
            lines.append("")
            continue
        text = head.decode("latin-1")
        request_line, _, rest = text.partition("\r\n")
        method, _, remainder = request_line.partition(" ")
        target, _, version = remainder.rpartition(" ")
        parts = urlsplit(entry.url)
        url = target if "://" in target else f"{parts.scheme}://{parts.netloc}{target}"
        lines.append(f"{method} {url} {version or 'HTTP/1.1'}".rstrip())
        for line in rest.split("\r\n"):
            if not line:
                break
            lines.append(line)
        lines.append("")
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


def to_json(entries: Iterable[LedgerEntry]) -> dict[str, object]:
    """The ledger records themselves, as written on disk (sent bytes in base64)."""
    return {"format": JSON_FORMAT, "version": 1, "entries": [e.to_json() for e in entries]}


def log_document(fmt: str, entries: Sequence[LedgerEntry]) -> bytes:
    """The history in an export format: json (the records), har (HAR 1.2), http.

    The same bytes for ``updater log --format`` and the payload panel's Export.
    """
    if fmt == "har":
        return json.dumps(to_har(entries), indent=2).encode() + b"\n"
    if fmt == "http":
        return to_http(entries)
    if fmt == "json":
        return json.dumps(to_json(entries), indent=2).encode() + b"\n"
    raise ValueError(f"unknown log format {fmt!r}")
