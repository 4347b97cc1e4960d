"""``updater``: the command-line front end (docs/cli.md) and its terminal UserDriver.

Exit codes: 0 done (update or not), 1 local problem (another check or download runs,
or the disk is full or unwritable), 2 usage or config error, 3 network error, 4 trust or
verification error, 5 install error.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from glass_updater.config import PackagerConfig, load_config
from glass_updater.driver import UpdateChoice
from glass_updater.errors import Cancelled, ConfigError, UpdaterError, storage_error
from glass_updater.ledger import Ledger, LedgerEntry, redact_proxy_credentials
from glass_updater.meta import package_version
from glass_updater.model import CheckResult, Progress, VerifiedFile
from glass_updater.paths import Paths
from glass_updater.printable import printable
from glass_updater.wire_types import CancelToken, OutboundRequest

if TYPE_CHECKING:
    from glass_updater.updater import Updater


def _entry_json(entry: LedgerEntry) -> dict[str, object]:
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


def _preview_json(request: OutboundRequest) -> dict[str, object]:
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


def _result_json(
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
        "transmissions": [_entry_json(e) for e in entries],
    }
    if path is not None:
        doc["path"] = str(path)
    return doc


def _show_bytes(data: bytes, out: TextIO) -> None:
    """Request bytes, one header per line; any other control byte shown as an escape.

    A SOCKS5 handshake (binary) is also said in words first."""
    import glass_updater.socks as socks

    if socks.looks_like_socks(data):
        for line in socks.describe(data).splitlines():
            out.write(f"    ({line})\n")
    for line in data.decode("ascii", "backslashreplace").split("\r\n"):
        out.write(f"    {printable(line)}\n" if line else "")


def _show_sent(entry: LedgerEntry, out: TextIO) -> None:
    """Every run of bytes of one exchange; through a proxy its CONNECT or SOCKS5 bytes too."""
    if len(entry.sent) == 1:
        out.write(f"Sent to {entry.url} ({entry.sent[0].channel.label}):\n")
    else:
        out.write(f"Sent to {entry.url}:\n")
    _show_runs(entry, out)


def _show_runs(entry: LedgerEntry, out: TextIO) -> None:
    """The bytes of one exchange, each run labelled by where it went when there are several."""
    if len(entry.sent) <= 1:
        _show_bytes(entry.request_bytes, out)
        return
    for run in entry.sent:  # proxy credentials were redacted when recorded
        out.write(f"  [{run.channel.label}]\n")
        _show_bytes(run.data, out)


class TerminalDriver:
    """Prints to the terminal and answers as the command line asked (non-interactive)."""

    def __init__(self, out: TextIO, *, install: bool, quiet: bool = False) -> None:
        self._out = out
        self._install = install
        self._quiet = quiet
        self._tty = out.isatty()
        self._last_line = 0.0
        self.result: CheckResult | None = None
        self.verified: VerifiedFile | None = None
        self.error: UpdaterError | None = None

    def _say(self, text: str) -> None:
        if not self._quiet:
            self._out.write(text + "\n")
            self._out.flush()

    def show_send_confirmation(
        self, request: OutboundRequest, reply: Callable[[bool], None]
    ) -> None:
        reply(True)  # the user typed the command: that is the request to send

    def show_checking(self, cancel: CancelToken) -> None:
        self._say("Checking for updates…")

    def show_up_to_date(self, result: CheckResult) -> None:
        self.result = result
        self._say(f"Up to date: {result.reason}")

    def show_update_found(
        self, result: CheckResult, reply: Callable[[UpdateChoice], None]
    ) -> None:
        self.result = result
        assert result.release is not None
        crit = " (critical)" if result.critical else ""
        self._say(f"Update available{crit}: {result.reason}")
        reply(UpdateChoice.INSTALL)

    def show_download_progress(self, progress: Progress, cancel: CancelToken) -> None:
        if self._quiet:
            return
        pct = 100.0 * progress.done / progress.total if progress.total else 100.0
        eta = f"{progress.eta:.0f}s" if progress.eta is not None else "?"
        rate = f"{progress.rate / 1e6:.1f} MB/s"
        if self._tty:
            bar = "#" * int(pct / 4)
            self._out.write(f"\r[{bar:<25}] {pct:5.1f}%  {rate}  ETA {eta}   ")
            if progress.done >= progress.total:
                self._out.write("\n")
            self._out.flush()
        elif time.monotonic() - self._last_line >= 1.0 or progress.done >= progress.total:
            self._last_line = time.monotonic()
            self._say(f"downloaded {progress.done}/{progress.total} bytes ({pct:.0f}%, {rate})")

    def show_ready_to_install(
        self, verified: VerifiedFile, reply: Callable[[bool], None]
    ) -> None:
        self.verified = verified
        self._say(f"Verified (size and SHA-256 match the signed feed): {verified.path}")
        reply(self._install)

    def show_installing(self, verified: VerifiedFile) -> None:
        self._say(f"Handing {verified.path.name} to the installer; it runs once this command "
                  "has exited (its outcome: install-report.json in the state folder)…")

    def show_error(self, error: UpdaterError, entries: Sequence[LedgerEntry]) -> None:
        self.error = error

    def dismiss(self) -> None:
        return None


class TerminalHost:
    """The CLI is not the application being updated: it can always let go."""

    def can_shut_down(self) -> bool:
        return True

    def request_shutdown(self) -> None:
        return None

    def relaunch_argv(self) -> list[str]:
        return []  # nothing to start again: the user runs the command


def _path(text: str) -> Path:
    """A path argument; an empty one would silently mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give a file or folder name")
    return Path(text)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="updater",
        description="Glass Updater: check for updates, sending only product and version.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, help_: str, *, state: bool = True, json_: bool = True
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--config", type=_path, help="packager config (TOML); default: bundled demo")
        if state:
            p.add_argument("--state-dir", type=_path, help="keep state, log and downloads here")
        if json_:
            p.add_argument("--json", action="store_true", help="print one JSON object")
        return p

    add("preview", "show the exact bytes a check would send; sends nothing", json_=True)
    add("check", "check for updates (sends product and version only)")
    dl = add("download", "check, then download and verify the update")
    dl.add_argument("--dest", type=_path, help="also copy the verified file into this folder")
    add("install", "check, download, verify, then hand off to the installer")
    imp = add("import", "install from an offline bundle (.glassbundle); opens no connection")
    imp.add_argument("file", type=Path, help="the bundle made by `updater-publish bundle`")
    imp.add_argument("--install", action="store_true",
                     help="hand the verified file to the installer")
    log = add("log", "show the history of everything sent")
    log.add_argument(
        "--limit", type=int, default=None,
        help="only the last N exchanges (text: 20 unless given; exports: all)",
    )
    log.add_argument(
        "--format", choices=LOG_FORMATS, default=None,
        help="text (default), json (the records), har (HAR 1.2), http (.http for runners)",
    )
    log.add_argument("--out", type=Path, help="write to this file instead of standard output")
    audit = add("audit", "print what this software can send, from the allowlist", state=False,
                json_=False)
    audit.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return parser


_RESULT_COMMANDS = ("check", "download", "install", "import")


def _error_json(error: UpdaterError) -> dict[str, object]:
    """The §8 object for a failure before any result exists (config, disk, usage)."""
    return {
        "status": "error",
        "current_version": None,
        "latest": None,
        "missed": [],
        "critical": False,
        "withdrawn": None,
        "reason": None,
        "error": {"kind": error.kind, "message": error.message},
        "transmissions": [_entry_json(e) for e in error.entries],
    }


def _fail(error: UpdaterError, err: TextIO) -> int:
    err.write(f"updater: {printable(error.message)}\n")
    return error.exit_code


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None, *, policy_path: Path | None = None) -> int:
    """``policy_path`` is for tests only (a Python argument, not a flag or variable):
    the command line always reads the machine-wide administrator policy."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = _build_parser().parse_args(argv)
    with INTERRUPT.catching():
        try:
            try:
                return INTERRUPT.exit_code(_run(args, out, err, policy_path))
            except BrokenPipeError:
                return _reader_gone(out)
            except OSError as exc:
                raise storage_error(exc, "a local file") from exc
        except UpdaterError as exc:
            if getattr(args, "json", False) and args.command in _RESULT_COMMANDS:
                out.write(json.dumps(_error_json(exc), indent=2) + "\n")
            return INTERRUPT.exit_code(_fail(exc, err))
        except KeyboardInterrupt:  # a second Ctrl-C: stop now
            err.write("updater: cancelled\n")
            return 130


class Interrupt:
    """SIGINT, SIGTERM and SIGHUP become a cancel, so an interrupted download keeps its
    resume record and the log lists the interrupted request; exit 128 + the signal number
    (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).

    Only the first signal is turned into a cancel; a second one acts as usual (Ctrl-C
    twice stops at once).
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self._tokens: list[Callable[[], CancelToken]] = []
        self._saved: dict[int, object] = {}

    @contextlib.contextmanager
    def catching(self) -> Iterator[None]:
        self.received = None
        self._tokens = []
        if threading.current_thread() is not threading.main_thread():
            yield  # signals are delivered to the main thread only
            return
        self._saved = {sig: signal.signal(sig, self._on_signal) for sig in _SIGNALS}
        try:
            yield
        finally:
            for sig, handler in self._saved.items():
                signal.signal(sig, handler)  # type: ignore[arg-type]

    def cancels(self, token: Callable[[], CancelToken]) -> None:
        """Cancel ``token()`` (looked up when the signal arrives) on SIGINT/SIGTERM."""
        self._tokens.append(token)
        if self.received is not None:
            token().cancel()

    def _on_signal(self, signum: int, frame: object) -> None:
        self.received = signum
        for sig in _SIGNALS:
            signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT
                          else signal.SIG_DFL)
        for token in self._tokens:
            token().cancel()

    def exit_code(self, code: int) -> int:
        return 128 + self.received if self.received is not None and code != 0 else code


# SIGHUP: the terminal went away (logout, a closed window).
_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
INTERRUPT = Interrupt()


def _reader_gone(out: TextIO) -> int:
    """``updater log | head``: the reader closed the pipe; stop quietly, like other tools."""
    import os

    # No error at exit's flush; an in-memory stream (tests) has nothing to redirect.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    return 141  # what a shell reports for a command stopped by SIGPIPE


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, policy_path: Path | None) -> int:
    from glass_updater.policy import audit_json, audit_text, privacy_statement_markdown

    config = load_config(args.config)
    if args.command == "log":
        return _log(Ledger(Paths.resolve(args.state_dir, config.product_id).log), args, out)
    from glass_updater.updater import Updater

    paths = Paths.resolve(getattr(args, "state_dir", None), config.product_id)
    # A plain fetch into --dest is not an install: it needs no install preflight.
    fetch_only = args.command == "download" and getattr(args, "dest", None) is not None
    updater = Updater(config, paths=paths, policy_path=policy_path,
                      preflight_downloads=not fetch_only)
    if args.command == "audit":
        render = {"text": audit_text, "json": audit_json,
                  "markdown": privacy_statement_markdown}[args.format]
        out.write(render(updater.allowlist, updater.config, updater.policy))
        return 0
    if args.command == "preview":
        request = updater.preview()
        if args.json:
            out.write(json.dumps({"transmissions": [_preview_json(request)]}, indent=2) + "\n")
        else:
            out.write(f"A check would send this, and nothing else ({request.url}):\n")
            for t in request.transmissions:
                out.write(f"  [{t.channel.label}]\n")
                shown = redact_proxy_credentials(t.data)
                _show_bytes(shown, out)
            out.write("Nothing was sent.\n")
        return 0
    if args.command == "check":
        return _check(updater, config, args, out, err)
    if args.command == "import":
        return _import(updater, config, args, out, err)
    return _download_or_install(updater, config, args, out, err)


def _import(updater: Updater, config: PackagerConfig, args: argparse.Namespace, out: TextIO,
            err: TextIO) -> int:
    """Offline: verify the bundle by the online rules; nothing is sent, so no transmissions."""
    try:
        result, verified = updater.import_bundle(args.file)
        if verified is not None and args.install:
            if not args.json:
                out.write(f"Handing {verified.path.name} to the installer…\n")
            updater.install(verified, TerminalHost())
    except UpdaterError as exc:
        if args.json:
            doc = _result_json("error", config, None, [], exc)
            doc["offline"] = True
            out.write(json.dumps(doc, indent=2) + "\n")
        return _fail(exc, err)
    if args.json:
        status = "downloaded" if verified is not None else result.status.value
        doc = _result_json(status, config, result, [],
                           path=verified.path if verified is not None else None)
        doc["offline"] = True
        if verified is not None and args.install:
            doc["handed_off"] = True
        out.write(json.dumps(doc, indent=2) + "\n")
        return 0
    out.write("Offline import: nothing was sent over the network.\n")
    if verified is None:
        out.write(f"Nothing to install: {result.reason}\n")
    elif not args.install:
        out.write(f"Verified {config.product_name} {verified.release.version} (size and SHA-256 "
                  f"match the signed feed): {verified.path}\n"
                  "Run again with --install to hand it to the installer.\n")
    return 0


def _check(updater: Updater, config: PackagerConfig, args: argparse.Namespace, out: TextIO,
           err: TextIO) -> int:
    cancel = CancelToken()
    INTERRUPT.cancels(lambda: cancel)
    try:
        result = updater.check(cancel=cancel)
    except UpdaterError as exc:
        if args.json:
            out.write(json.dumps(_result_json("error", config, None, exc.entries, exc),
                                 indent=2) + "\n")
        return _fail(exc, err)
    if args.json:
        out.write(json.dumps(_result_json(result.status.value, config, result, result.entries),
                             indent=2) + "\n")
        return 0
    for entry in result.entries:
        _show_sent(entry, out)
    if result.withdrawn is not None:
        out.write(f"Your version {config.version} was withdrawn by the publisher: "
                  f"{_printable(result.withdrawn.reason)}\n")
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
                out.write(f"    {_printable(line)}\n")
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
    return 0


def _printable(text: str) -> str:
    return printable(text, limit=200)


def _download_or_install(updater: Updater, config: PackagerConfig, args: argparse.Namespace,
                         out: TextIO, err: TextIO) -> int:
    from glass_updater.flow import UpdateFlow, run_inline

    install = args.command == "install"
    driver = TerminalDriver(out, install=install, quiet=args.json)  # --json: stdout is JSON only
    flow = UpdateFlow(updater, driver, run_in_background=run_inline, host=TerminalHost())
    INTERRUPT.cancels(lambda: flow.cancel)  # the token of the run in progress
    if INTERRUPT.received is not None:
        raise Cancelled("cancelled before anything was sent")
    flow.start()
    if flow.error is not None:
        if args.json:
            sent = [*(flow.result.entries if flow.result else ()), *flow.error.entries]
            out.write(json.dumps(_result_json("error", config, flow.result, sent, flow.error),
                                 indent=2) + "\n")
        return _fail(flow.error, err)
    result = flow.result
    assert result is not None
    entries = list(result.entries)
    if flow.verified is None:
        if args.json:
            out.write(json.dumps(_result_json(result.status.value, config, result, entries),
                                 indent=2) + "\n")
        return 0
    path = flow.verified.path
    entries.extend(_download_entries(updater.ledger, result))
    if args.command == "download" and args.dest is not None:
        try:
            try:
                path = _copy_verified(flow.verified, args.dest)
            except OSError as exc:
                raise storage_error(exc, f"the copy in {args.dest}") from exc
        except UpdaterError as exc:  # what was sent is still reported in full
            if args.json:
                out.write(json.dumps(_result_json("error", config, result, entries, exc),
                                     indent=2) + "\n")
            return _fail(exc, err)
    if args.json:
        doc = _result_json("downloaded", config, result, entries, path=path)
        if install:
            doc["handed_off"] = True  # §8 has no "installed" status: the installer runs on
        out.write(json.dumps(doc, indent=2) + "\n")
    elif not install:
        out.write(f"{path}\n")
    return 0


def _copy_verified(verified: VerifiedFile, dest_dir: Path) -> Path:
    """Copy into ``--dest`` atomically, re-hashing what was written; never a partial file."""
    import os
    import tempfile

    from glass_updater.atomic import TEMP_PREFIX
    from glass_updater.digest import open_checked, sha256_stream
    from glass_updater.errors import VerificationError

    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / verified.path.name
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=dest_dir)
    try:
        with open_checked(verified.path) as src, os.fdopen(fd, "wb") as dst:
            _, digest = sha256_stream(src, copy_to=dst)
            dst.flush()
            os.fsync(dst.fileno())
        if digest.hexdigest() != verified.asset.sha256:
            raise VerificationError(
                f"the copy for --dest does not match the signed SHA-256; {target} was not written"
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _download_entries(ledger: Ledger, result: CheckResult) -> list[LedgerEntry]:
    """The ledger records of this download: those after the check's last record."""
    last_check = result.entries[-1].id if result.entries else ""
    return [e for e in ledger.entries() if e.kind == "download" and e.id > last_check]


LOG_FORMATS = ("text", "json", "har", "http")


def log_document(fmt: str, entries: Sequence[LedgerEntry]) -> bytes:
    """The history in an export format: json (the records), har (HAR 1.2), http."""
    from glass_updater import export

    if fmt == "har":
        return json.dumps(export.to_har(entries), indent=2).encode() + b"\n"
    if fmt == "http":
        return export.to_http(entries)
    if fmt == "json":
        return json.dumps(export.to_json(entries), indent=2).encode() + b"\n"
    raise ValueError(f"unknown log format {fmt!r}")


def _log(ledger: Ledger, args: argparse.Namespace, out: TextIO) -> int:
    fmt = args.format or ("json" if args.json else "text")
    if args.json and args.format not in (None, "json"):
        raise ConfigError("--json and --format disagree; use one of them")
    limit = args.limit if args.limit is not None else (20 if fmt == "text" else None)
    read = ledger.read()
    everything = list(read.entries)
    entries = everything if limit is None else (everything[-limit:] if limit > 0 else [])
    if fmt == "text":
        text = _log_text(entries)
        if read.skipped:
            lines = "line was" if read.skipped == 1 else "lines were"
            text += f"{read.skipped} unreadable {lines} skipped in {ledger.path.parent}.\n"
    elif args.json and args.format is None:
        doc: dict[str, object] = {"entries": [e.to_json() for e in entries]}
        doc["skipped_lines"] = read.skipped
        text = json.dumps(doc, indent=2) + "\n"
    else:
        text = log_document(fmt, entries).decode("utf-8")
    if args.out is None:
        out.write(text)
        return 0
    from glass_updater.atomic import atomic_write_bytes

    try:
        atomic_write_bytes(args.out, text.encode("utf-8"), mode=0o644)
    except OSError as exc:
        raise storage_error(exc, f"the {fmt} export") from exc
    if not args.json:
        words = "1 exchange" if len(entries) == 1 else f"{len(entries)} exchanges"
        out.write(f"Wrote {words} as {fmt} to {args.out}\n")
    return 0


def _log_text(entries: Sequence[LedgerEntry]) -> str:
    if not entries:
        return "Nothing has been sent yet.\n"
    buffer = io.StringIO()
    for entry in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.time))
        status = entry.status if entry.status is not None else "no response"
        buffer.write(f"{when}  {entry.kind:<8} {entry.url}  -> {status}, "
                     f"{entry.bytes_received} bytes; {entry.outcome}\n")
        _show_runs(entry, buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())
