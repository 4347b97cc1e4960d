"""``updater``: the command-line front end (docs/cli.md): its commands, run through the core.

The grammar is in ``cli_parser``, what is printed in ``cli_output``, the terminal's
UserDriver, HostApp and signal handling in ``cli_terminal``.

Exit codes: 0 done (update or not), 1 local problem (another check or download runs,
or the disk is full or unwritable), 2 usage or config error, 3 network error, 4 trust or
verification error, 5 install error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from glass_updater.cli_output import (
    error_json,
    log_text,
    preview_json,
    preview_text,
    result_json,
)
from glass_updater.cli_parser import build_parser
from glass_updater.cli_terminal import (
    INTERRUPT,
    CheckDriver,
    TerminalDriver,
    TerminalHost,
    reader_gone,
)
from glass_updater.config import PackagerConfig, load_config
from glass_updater.errors import Cancelled, ConfigError, UpdaterError, storage_error
from glass_updater.export import log_document
from glass_updater.ledger import Ledger
from glass_updater.model import VerifiedFile
from glass_updater.paths import Paths
from glass_updater.printable import printable

if TYPE_CHECKING:
    from glass_updater.driver import UserDriver
    from glass_updater.flow import UpdateFlow
    from glass_updater.updater import Updater


_RESULT_COMMANDS = ("check", "download", "install", "import")


def _fail(error: UpdaterError, err: TextIO) -> int:
    err.write(f"updater: {printable(error.message)}\n")
    return error.exit_code


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None, *, policy_path: Path | None = None) -> int:
    """``policy_path`` is for tests only (a Python argument, not a flag or variable):
    the command line always reads the machine-wide administrator policy."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    with INTERRUPT.catching():
        try:
            try:
                return INTERRUPT.exit_code(_run(args, out, err, policy_path))
            except BrokenPipeError:
                return reader_gone(out)
            except OSError as exc:
                raise storage_error(exc, "a local file") from exc
        except UpdaterError as exc:
            if getattr(args, "json", False) and args.command in _RESULT_COMMANDS:
                out.write(json.dumps(error_json(exc), indent=2) + "\n")
            return INTERRUPT.exit_code(_fail(exc, err))
        except KeyboardInterrupt:  # a second Ctrl-C: stop now
            err.write("updater: cancelled\n")
            return 130


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
            out.write(json.dumps({"transmissions": [preview_json(request)]}, indent=2) + "\n")
        else:
            preview_text(request, out)
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
            doc = result_json("error", config, None, [], exc)
            doc["offline"] = True
            out.write(json.dumps(doc, indent=2) + "\n")
        return _fail(exc, err)
    if args.json:
        status = "downloaded" if verified is not None else result.status.value
        doc = result_json(status, config, result, [],
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
    """Check only, through the same flow as download: an update found is never fetched."""
    flow = _run_flow(updater, CheckDriver(out, config, quiet=args.json))
    if flow.error is not None:
        return _flow_failed(flow, config, args, out, err)
    result = flow.result
    assert result is not None
    if args.json:
        out.write(json.dumps(result_json(result.status.value, config, result, result.entries),
                             indent=2) + "\n")
    return 0


def _run_flow(updater: Updater, driver: UserDriver) -> UpdateFlow:
    """One flow on this thread (the runner is inline); a signal cancels the run in progress."""
    from glass_updater.driver import run_inline
    from glass_updater.flow import UpdateFlow

    flow = UpdateFlow(updater, driver, run_in_background=run_inline, host=TerminalHost())
    INTERRUPT.cancels(lambda: flow.cancel)  # the token of the run in progress
    if INTERRUPT.received is not None:
        raise Cancelled("cancelled before anything was sent")
    flow.start()
    return flow


def _flow_failed(flow: UpdateFlow, config: PackagerConfig, args: argparse.Namespace,
                 out: TextIO, err: TextIO) -> int:
    """The flow's error, with everything sent before it (the check's and the failure's)."""
    error = flow.error
    assert error is not None
    if args.json:
        sent = [*(flow.result.entries if flow.result else ()), *flow.error_entries]
        out.write(json.dumps(result_json("error", config, flow.result, sent, error),
                             indent=2) + "\n")
    return _fail(error, err)


def _download_or_install(updater: Updater, config: PackagerConfig, args: argparse.Namespace,
                         out: TextIO, err: TextIO) -> int:
    install = args.command == "install"
    driver = TerminalDriver(out, install=install, quiet=args.json)  # --json: stdout is JSON only
    flow = _run_flow(updater, driver)
    if flow.error is not None:
        return _flow_failed(flow, config, args, out, err)
    result = flow.result
    assert result is not None
    entries = list(result.entries)
    if flow.verified is None:
        if args.json:
            out.write(json.dumps(result_json(result.status.value, config, result, entries),
                                 indent=2) + "\n")
        return 0
    path = flow.verified.path
    entries.extend(flow.download_entries)
    if args.command == "download" and args.dest is not None:
        try:
            try:
                path = _copy_verified(flow.verified, args.dest)
            except OSError as exc:
                raise storage_error(exc, f"the copy in {args.dest}") from exc
        except UpdaterError as exc:  # what was sent is still reported in full
            if args.json:
                out.write(json.dumps(result_json("error", config, result, entries, exc),
                                     indent=2) + "\n")
            return _fail(exc, err)
    if args.json:
        doc = result_json("downloaded", config, result, entries, path=path)
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


def _log(ledger: Ledger, args: argparse.Namespace, out: TextIO) -> int:
    fmt = args.format or ("json" if args.json else "text")
    if args.json and args.format not in (None, "json"):
        raise ConfigError("--json and --format disagree; use one of them")
    limit = args.limit if args.limit is not None else (20 if fmt == "text" else None)
    read = ledger.read()
    everything = list(read.entries)
    entries = everything if limit is None else (everything[-limit:] if limit > 0 else [])
    if fmt == "text":
        text = log_text(entries)
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


if __name__ == "__main__":
    raise SystemExit(main())
