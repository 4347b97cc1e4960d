"""What the command line prints: the §8 JSON documents and request bytes as text.

Pure rendering (no I/O but the stream it is given): the commands in ``cli`` decide what
happened, these functions say it.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from glass_updater.config import PackagerConfig
from glass_updater.credentials import redact_proxy_credentials
from glass_updater.errors import UpdaterError
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult
from glass_updater.printable import printable
from glass_updater.wire_types import OutboundRequest


def entry_json(entry: LedgerEntry) -> dict[str, object]:
    proxy = [t for t in entry.sent if t.channel.value == "proxy"]
    doc: dict[str, object] = {
        "method": entry.method,
        "url": entry.url,
        "channel": entry.sent[-1].channel.value if entry.sent else None,
        "request_b64": base64.b64encode(entry.request_bytes).decode("ascii"),
        "status": entry.status,
        "bytes_received": entry.bytes_received,
    }
    if proxy:
        doc["proxy"] = entry.proxy
        doc["proxy_request_b64"] = base64.b64encode(proxy[0].data).decode("ascii")
    return doc


def preview_json(request: OutboundRequest) -> dict[str, object]:
    doc: dict[str, object] = {
        "method": request.method,
        "url": request.url,
        "channel": request.channel.value,
        "request_b64": base64.b64encode(request.request_bytes).decode("ascii"),
        "fields": [
            {"name": f.name, "where": f.where.value, "key": f.key, "value": f.value,
             "purpose": f.purpose}
            for f in request.fields
            if f.name not in ("proxy_authorization", "socks_username", "socks_password")
        ],
    }
    if request.proxy is not None:
        doc["proxy"] = request.proxy.url
        doc["proxy_request_b64"] = base64.b64encode(
            redact_proxy_credentials(request.transmissions[0].data)
        ).decode("ascii")
    return doc


def result_json(
    status: str,
    config: PackagerConfig,
    result: CheckResult | None,
    entries: Sequence[LedgerEntry],
    error: UpdaterError | None = None,
    path: Path | None = None,
) -> dict[str, object]:
    latest = None
    if result is not None and result.release is not None:
        rel, asset = result.release, result.asset
        latest = {
            "version": rel.version,
            "channel": rel.channel,
            "published": rel.published.isoformat(),
            "critical": rel.critical,
            "notes": rel.notes,
            "asset": None
            if asset is None
            else {
                "platform": asset.platform,
                "kind": asset.kind,
                "url": asset.url,
                "size": asset.size,
                "sha256": asset.sha256,
            },
            # The install preflight, run with the check: download/install would exit 5.
            "installable": result.installable,
            "install_problem": result.install_problem or None,
        }
    doc: dict[str, object] = {
        "status": status,
        "current_version": config.version,
        "latest": latest,
        # Every release not installed up to the offered one, newest first, and whether any
        # of them is critical; the installed version's withdrawal, if the publisher pulled it.
        "missed": [] if result is None else [
            {"version": r.version, "critical": r.critical, "notes": r.notes,
             "published": r.published.isoformat()}
            for r in result.missed
        ],
        "critical": result is not None and result.critical,
        "withdrawn": None if result is None or result.withdrawn is None else {
            "version": result.withdrawn.version, "reason": result.withdrawn.reason,
        },
        "reason": result.reason if result is not None else None,
        "error": None if error is None else {"kind": error.kind, "message": error.message},
        "transmissions": [entry_json(e) for e in entries],
    }
    if path is not None:
        doc["path"] = str(path)
    return doc


def error_json(error: UpdaterError) -> dict[str, object]:
    """The §8 object for a failure before any result exists (config, disk, usage): nothing
    was sent, so no transmissions."""
    return {
        "status": "error",
        "current_version": None,
        "latest": None,
        "missed": [],
        "critical": False,
        "withdrawn": None,
        "reason": None,
        "error": {"kind": error.kind, "message": error.message},
        "transmissions": [],
    }


def show_bytes(data: bytes, out: TextIO) -> None:
    """Request bytes, one header per line; any other control byte shown as an escape.

    A SOCKS5 handshake (binary) is also said in words first."""
    import glass_updater.socks as socks

    if socks.looks_like_socks(data):
        for line in socks.describe(data).splitlines():
            out.write(f"    ({line})\n")
    for line in data.decode("ascii", "backslashreplace").split("\r\n"):
        out.write(f"    {printable(line)}\n" if line else "")


def show_sent(entry: LedgerEntry, out: TextIO) -> None:
    """Every run of bytes of one exchange; through a proxy its CONNECT or SOCKS5 bytes too."""
    if len(entry.sent) == 1:
        out.write(f"Sent to {entry.url} ({entry.sent[0].channel.label}):\n")
    else:
        out.write(f"Sent to {entry.url}:\n")
    show_runs(entry, out)


def show_runs(entry: LedgerEntry, out: TextIO) -> None:
    """The bytes of one exchange, each run labelled by where it went when there are several."""
    if len(entry.sent) <= 1:
        show_bytes(entry.request_bytes, out)
        return
    for run in entry.sent:  # proxy credentials were redacted when recorded
        out.write(f"  [{run.channel.label}]\n")
        show_bytes(run.data, out)


def log_text(entries: Sequence[LedgerEntry]) -> str:
    if not entries:
        return "Nothing has been sent yet.\n"
    buffer = io.StringIO()
    for entry in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.time))
        status = entry.status if entry.status is not None else "no response"
        buffer.write(f"{when}  {entry.kind:<8} {entry.url}  -> {status}, "
                     f"{entry.bytes_received} bytes; {entry.outcome}\n")
        show_runs(entry, buffer)
    return buffer.getvalue()


def printable_line(text: str) -> str:
    return printable(text, limit=200)


def preview_text(request: OutboundRequest, out: TextIO) -> None:
    """``updater preview``: every run of bytes a check would send (credentials hidden)."""
    out.write(f"A check would send this, and nothing else ({request.url}):\n")
    for t in request.transmissions:
        out.write(f"  [{t.channel.label}]\n")
        shown = redact_proxy_credentials(t.data)
        show_bytes(shown, out)
    out.write("Nothing was sent.\n")


def check_text(result: CheckResult, config: PackagerConfig, out: TextIO) -> None:
    """``updater check``: what was sent, then what was found and what to do next."""
    for entry in result.entries:
        show_sent(entry, out)
    if result.withdrawn is not None:
        out.write(f"Your version {config.version} was withdrawn by the publisher: "
                  f"{printable_line(result.withdrawn.reason)}\n")
    if result.release is not None:
        crit = " — critical update" if result.critical else ""
        what = "Go back to the newest good version" if result.goes_back else "Update available"
        out.write(f"{what}: {config.product_name} {result.release.version}"
                  f"{crit} (you have {config.version}).\n")
        for release in result.missed or (result.release,):
            if not release.notes:
                continue
            flag = " (critical)" if release.critical else ""
            out.write(f"Release notes for {release.version}{flag}:\n")
            for line in release.notes.splitlines()[:20]:
                out.write(f"    {printable_line(line)}\n")
        if result.install_problem:
            out.write(f"This copy cannot update itself: {printable(result.install_problem)}.\n"
                      "Get the new version from the publisher's website, or ask whoever "
                      "installed this copy (`updater download --dest DIR` still fetches and "
                      "verifies the file).\n")
        else:
            out.write("Run `updater download` to fetch and verify it.\n")
    elif result.withdrawn is not None:  # pulled, and no good release to go to yet
        out.write("No other release is available for this computer yet; check again later.\n")
    else:
        out.write(f"You're up to date: {result.reason}\n")
