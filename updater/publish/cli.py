"""``updater-publish keygen | sign | verify | serve | demo``: the publisher's tools.

Exit codes: 0 done, 2 usage or configuration error, 4 the feed or payload would not
verify. ``sign`` refuses any payload a client would refuse, using the client's own
validator, so a publisher cannot ship a feed that breaks every installed copy.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from glass_updater.atomic import atomic_write_bytes
from glass_updater.errors import ConfigError, FeedError
from glass_updater.feed import format_time, parse_payload, verify_feed
from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.model import Feed
from glass_updater.publish.keys import load_private_key, read_public_key, write_keypair
from glass_updater.publish.site import PublishRefused, check_assets_present
from glass_updater.signing import (
    keypair_from_private,
    parse_envelope,
    sign_envelope,
    verify_envelope,
)

EXIT_OK = 0
EXIT_REFUSED = 1  # a local file or folder is not fit to publish; nothing changed
EXIT_USAGE = 2
EXIT_VERIFY = 4


def _port(text: str) -> int:
    """A TCP port; anything else is a usage error, not a traceback from bind()."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return port


class _OneLineParser(argparse.ArgumentParser):
    """Usage mistakes are one line that says what to fix, like every other refusal."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}; see `{self.prog} --help`\n")


def _parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = _OneLineParser(
        prog="updater-publish", description="Create keys, sign, verify and serve update feeds."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    keygen = sub.add_parser("keygen", help="create a signing key pair")
    keygen.add_argument("--out", required=True, type=Path, help="folder for the key files")
    keygen.add_argument("--force", action="store_true", help="overwrite an existing key")

    sign = sub.add_parser("sign", help="wrap a payload in a signed envelope")
    sign.add_argument(
        "--key", required=True, action="append", type=Path,
        help="private key file (repeat to co-sign with the next key during rotation)",
    )
    sign.add_argument("payload", type=Path, help="payload JSON (see docs/feed-format.md)")
    sign.add_argument("--out", required=True, type=Path, help="signed feed to write")
    sign.add_argument(
        "--previous", type=Path,
        help="the feed now published (serial must grow); a missing file means a first feed",
    )
    sign.add_argument(
        "--site", "--assets", dest="assets", type=Path,
        help="folder holding the listed files: each one present must match size and sha256",
    )

    verify = sub.add_parser("verify", help="check a signed feed as a client would")
    verify.add_argument(
        "--key", required=True, action="append",
        help="trusted public key (ed25519:…) or a file holding it; repeatable",
    )
    verify.add_argument("feed", type=Path)
    verify.add_argument("--product", help="expected product id (default: the feed's own)")

    serve = sub.add_parser("serve", help="serve a folder on 127.0.0.1 (development)")
    serve.add_argument("--dir", required=True, type=Path)
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument("--tls", action="store_true", help="HTTPS with a generated certificate")
    serve.add_argument(
        "--tally", action="store_true",
        help="count distinct request shapes (SHA-256 of each request head): a line on stderr "
        "for each new shape, GET /__tally for JSON, a summary on exit",
    )
    serve.add_argument(
        "--cert", type=Path,
        help="the CA file clients trust (default: DIR-tls/cert.pem beside DIR); reused",
    )

    from glass_updater.publish import appcast, bundle, release

    release.add_parsers(sub)
    appcast.add_parser(sub)
    bundle.add_parser(sub)

    demo = sub.add_parser("demo", help="run the local end-to-end demo")
    demo.add_argument("--port", type=_port, default=0)
    demo.add_argument("--dir", type=Path)
    demo.add_argument("--no-gui", action="store_true")
    demo.add_argument("--tls", action="store_true")
    return parser


def _read(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


def _summary(feed: Feed) -> str:
    lines = [
        f"product  {feed.product}",
        f"serial   {feed.serial}",
        f"expires  {format_time(feed.expires)}",
        f"digest   {feed.digest}",
        f"signed   {', '.join(k[:16] for k in feed.keyids) or '(not checked)'}",
        f"releases {len(feed.releases)}",
    ]
    for release in feed.releases:
        flag = " critical" if release.critical else ""
        lines.append(f"  {release.version} [{release.channel}{flag}]")
        for asset in release.assets:
            lines.append(f"    {asset.platform} {asset.kind} {asset.size} bytes {asset.url}")
    return "\n".join(lines)


def _keygen(args: argparse.Namespace) -> int:
    public = write_keypair(args.out, overwrite=args.force)
    print(public)
    print(
        f"wrote {args.out / 'private.key'} (keep it secret) and {args.out / 'public.key'}; "
        "put the line above in [feed] trusted_keys",
        file=sys.stderr,
    )
    return EXIT_OK


def _sign(args: argparse.Namespace, now: datetime) -> int:
    limits = DEFAULT_LIMITS
    payload = _read(args.payload, limits.max_feed_bytes)
    keys = [load_private_key(path) for path in args.key]
    feed = parse_payload(payload, limits=limits)
    if feed.expires <= now:
        raise FeedError(
            f"refusing to sign: expires {format_time(feed.expires)} is already past; "
            "set a future expiry"
        )
    if args.previous is not None and not args.previous.exists():
        print(f"{args.previous} does not exist: signing a first publication", file=sys.stderr)
    elif args.previous is not None:
        old = parse_payload(parse_envelope(_read(args.previous, limits.max_feed_bytes)).payload)
        if old.product != feed.product:
            raise FeedError(
                f"refusing to sign: product {feed.product!r} differs from the previous "
                f"feed's {old.product!r}"
            )
        if feed.serial <= old.serial:
            raise FeedError(
                f"refusing to sign: serial {feed.serial} must be greater than the previous "
                f"feed's {old.serial}, or clients will refuse it as a rollback"
            )
    if args.assets is not None:
        if not args.assets.is_dir():
            raise ConfigError(f"--site/--assets {args.assets} is not a folder; pass the folder")
        checked_files = check_assets_present(feed, args.assets)
        print(f"{checked_files} listed file(s) in {args.assets} match size and sha256",
              file=sys.stderr)
    signed = sign_envelope(payload, keys)
    publics = [keypair_from_private(key).public for key in keys]
    checked = verify_feed(
        signed, trusted_keys=publics, product=feed.product, now=now, floor=None, limits=limits
    )
    atomic_write_bytes(args.out, signed, 0o644)
    print(_summary(checked))
    print(f"wrote {args.out}", file=sys.stderr)
    return EXIT_OK


def _verify(args: argparse.Namespace, now: datetime) -> int:
    limits = DEFAULT_LIMITS
    data = _read(args.feed, limits.max_feed_bytes)
    keys = [read_public_key(k) for k in args.key]
    product = args.product
    if product is None:  # the feed's own, read only after its signature verified
        verified = verify_envelope(data, keys, limits)
        product = parse_payload(verified.payload, limits=limits).product
    feed = verify_feed(
        data, trusted_keys=keys, product=product, now=now, floor=None, limits=limits
    )
    print(_summary(feed))
    print("feed OK", file=sys.stderr)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from glass_updater.publish.serve import FeedServer

    if not args.dir.is_dir():
        raise ConfigError(f"{args.dir} is not a folder")
    from glass_updater.publish.tally import RequestTally

    tally = RequestTally() if args.tally else None
    server = FeedServer(args.dir, port=args.port, tls=args.tls, cert_path=args.cert, verbose=True,
                        tally=tally)
    try:
        server.start()
    except OSError as exc:
        raise ConfigError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}") from None
    stop = threading.Event()
    try:  # from the first line printed on: a Ctrl-C right after it still stops cleanly
        print(server.url + "/", flush=True)
        if args.tls:
            print(f'ca_file = "{server.cert_path.resolve()}"', flush=True)
            state = "created" if server.cert_created else "reused"
            print(f"{state} the development CA; put the ca_file line above in [feed] (it "
                  "stays valid across restarts)", file=sys.stderr)
        print("serving; press Ctrl-C to stop", file=sys.stderr)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if tally is not None:
            sys.stderr.write(tally.summary())
    return EXIT_OK


def _publish(args: argparse.Namespace, now: datetime) -> int:
    from glass_updater.publish import appcast, release

    now = now.replace(microsecond=0)  # whole seconds read better in a feed
    if args.command == "release":
        return release.run_release(args, now)
    if args.command == "resign":
        return release.run_resign(args, now)
    return appcast.run_import(args, now)


def _demo(args: argparse.Namespace) -> int:
    try:
        from glass_updater.publish.demo import run_demo
    except ImportError:
        raise ConfigError("the demo is not available in this build") from None
    return int(run_demo(args))


def main(argv: Sequence[str] | None = None, *, now: datetime | None = None) -> int:
    """Run one command; ``now`` is injectable so tests need not move the clock."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    when = now or datetime.now(UTC)
    try:
        if args.command == "keygen":
            return _keygen(args)
        if args.command == "sign":
            return _sign(args, when)
        if args.command == "verify":
            return _verify(args, when)
        if args.command == "serve":
            return _serve(args)
        if args.command in ("release", "resign", "import-appcast"):
            return _publish(args, when)
        if args.command == "bundle":
            from glass_updater.publish.bundle import run_bundle

            return run_bundle(args)
        return _demo(args)
    except PublishRefused as exc:
        print(f"updater-publish: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except FeedError as exc:
        print(f"updater-publish: {exc.message}", file=sys.stderr)
        return EXIT_VERIFY
    except ConfigError as exc:
        print(f"updater-publish: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        where = exc.filename2 or exc.filename
        what = f"{where}: " if where else ""
        print(f"updater-publish: {what}{exc.strerror or exc}; check the path and its "
              "permissions, then run again", file=sys.stderr)
        return EXIT_USAGE
