"""Offline bundles (threat 50): same trust rules as online, no socket, nothing left behind."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from glass_updater import cli
from glass_updater.driver import run_inline
from glass_updater.errors import (
    BundleError,
    BundleUnreadable,
    FeedError,
    RollbackError,
    StaleFeedError,
    UpdaterError,
    VerificationError,
    WrongProductError,
)
from glass_updater.flow import UpdateFlow
from glass_updater.handoff import HandoffSpec
from glass_updater.model import CheckStatus
from glass_updater.offline import NO_NETWORK
from glass_updater.paths import Paths
from glass_updater.publish import cli as publish_cli
from glass_updater.publish.bundle import write_bundle
from glass_updater.transport.witness import Witness
from glass_updater.updater import Updater

from tests.doubles import MockTransport, no_network
from tests.fakes import FakeHost, RecordingDriver, RecordingLauncher
from tests.sim import NOW, FeedSimulator, asset_bytes
from tests.updater.test_updater import make_config


def make_site(sim: FeedSimulator, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "feed.json").write_bytes(sim.feed_bytes())
    for path, body in sim.assets.items():
        (folder / path.rsplit("/", 1)[1]).write_bytes(body)
    return folder


def make_bundle(sim: FeedSimulator, tmp_path: Path, version: str = "1.4.0",
                name: str = "b") -> Path:
    site = make_site(sim, tmp_path / f"site-{name}")
    out = tmp_path / f"{name}.glassbundle"
    write_bundle(site, version, out)
    return out


@pytest.fixture
def sim() -> FeedSimulator:
    s = FeedSimulator()
    s.add_release("1.4.0", notes="new", platforms=("linux-x86_64", "windows-x86_64"))
    return s


def updater_for(sim: FeedSimulator, tmp_path: Path, policy: str | None = None,
                **config: object) -> Updater:
    policy_path = tmp_path / "policy" / "policy.toml"
    if policy is not None:
        policy_path.parent.mkdir(parents=True, exist_ok=True)
        policy_path.write_text(policy)
    return Updater(make_config(sim, **config), paths=Paths.under(tmp_path / "state"),
                   transport=MockTransport(no_network), clock=lambda: NOW, policy_path=policy_path,
                   launcher=RecordingLauncher())


def snapshot(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(root.rglob("*")) if p.suffix != ".lock"}


def handed_off(launcher: RecordingLauncher) -> str:
    """The staged file the install helper was started for (with the packager command)."""
    ((argv, detached),) = launcher.launched
    assert detached and argv[1:5] == ("-P", "-m", "glass_updater.helper", "--spec")
    spec = HandoffSpec.from_json(argv[-1])
    assert spec.command == ("/bin/true", "{file}")
    return spec.staged


def test_import_verifies_keeps_and_records_without_network(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    bundle = make_bundle(sim, tmp_path)
    updater = updater_for(sim, tmp_path, install_command=("/bin/true", "{file}"))
    witness = Witness.install()
    with witness.recording() as log:
        result, verified = updater.import_bundle(bundle)
    assert log.network == []
    assert result.status is CheckStatus.UPDATE_AVAILABLE and verified is not None
    assert verified.path.read_bytes() == asset_bytes("1.4.0")
    assert hashlib.sha256(verified.path.read_bytes()).hexdigest() == verified.asset.sha256
    (entry,) = updater.ledger.entries()
    assert entry.kind == "import" and NO_NETWORK in entry.outcome and entry.sent == ()
    assert updater.state.load().last_serial == sim.serial
    updater.install(verified, FakeHost())  # the same handoff as a download
    launcher = updater._launcher
    assert isinstance(launcher, RecordingLauncher)
    assert handed_off(launcher) == str(verified.path)


def test_bundle_is_deterministic_and_a_plain_tar(sim: FeedSimulator, tmp_path: Path) -> None:
    one = make_bundle(sim, tmp_path, name="one")
    two = make_bundle(sim, tmp_path, name="two")
    assert one.read_bytes() == two.read_bytes()
    with tarfile.open(one, "r:") as tar:
        assert tar.getnames() == [
            "glass-bundle.json", "feed.json",
            "assets/demo-app-1.4.0-linux-x86_64.appimage",
            "assets/demo-app-1.4.0-windows-x86_64.appimage",
        ]


def _rewrite(bundle: Path, edit: object) -> Path:
    """A copy of the bundle's members, changed by ``edit(name, data) -> data | None``."""
    out = bundle.with_name("edited.glassbundle")
    with (
        tarfile.open(bundle, "r:") as src,
        tarfile.open(out, "w:", format=tarfile.USTAR_FORMAT) as dst,
    ):
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            new = edit(member.name, data)  # type: ignore[operator]
            if new is None:
                continue
            member.size = len(new)
            dst.addfile(member, io.BytesIO(new))
    return out


def _flip_last(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def _bad_bundles(sim: FeedSimulator, tmp_path: Path) -> dict[str, tuple[Path, type[UpdaterError]]]:
    good = make_bundle(sim, tmp_path)
    raw = good.read_bytes()
    linux = "assets/demo-app-1.4.0-linux-x86_64.appimage"
    cases: dict[str, tuple[Path, type[UpdaterError]]] = {}

    def put(name: str, data: bytes, error: type[UpdaterError]) -> None:
        path = tmp_path / f"{name}.glassbundle"
        path.write_bytes(data)
        cases[name] = (path, error)

    end = raw.rindex(b"installer 1.4.0 for windows") + 264  # the last member's data ends
    end += -end % 512
    put("truncated", raw[:end], BundleError)  # every member whole, the end marker missing
    put("truncated-half", raw[: len(raw) // 4], BundleError)
    put("trailing-data", raw + b"\x01", BundleError)
    put("truncated-in-asset", raw[: raw.index(b"installer 1.4.0") + 40], BundleError)
    put("not-a-bundle", b"\x00" * 1024 + b"hello", BundleError)
    put("gzip", b"\x1f\x8b" + raw[2:], BundleError)
    tampered = _rewrite(good, lambda n, d: _flip_last(d) if n == linux else d)
    put("tampered-asset", tampered.read_bytes(), VerificationError)
    longer = _rewrite(good, lambda n, d: d + b"x" if n == linux else d)
    put("resized-asset", longer.read_bytes(), VerificationError)
    no_asset = _rewrite(good, lambda n, d: None if n == linux else d)
    put("missing-asset", no_asset.read_bytes(), BundleError)
    extra = _rewrite(good, lambda n, d: d)
    with tarfile.open(extra, "a:") as tar:
        link = tarfile.TarInfo("assets/evil")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    put("symlink-member", extra.read_bytes(), BundleError)
    flipped = FeedSimulator.tamper_payload(sim.feed_bytes(), lambda p: p.replace(b"new", b"neW"))
    put("tampered-feed", _rewrite(good, lambda n, d: flipped if n == "feed.json" else d)
        .read_bytes(), FeedError)
    manifest = json.dumps({"format": 1, "product": "demo-app", "version": "9.9"}).encode()
    put("unknown-version", _rewrite(good, lambda n, d: manifest if n == "glass-bundle.json"
                                    else d).read_bytes(), BundleError)
    other = FeedSimulator(product="other-app", signer=sim.signer)
    other.add_release("1.4.0")
    put("other-product", make_bundle(other, tmp_path, name="other").read_bytes(),
        WrongProductError)
    old = FeedSimulator(signer=sim.signer, expires=NOW - timedelta(days=1))
    old.add_release("1.4.0")
    put("expired", make_bundle(old, tmp_path, name="expired").read_bytes(), StaleFeedError)
    return cases


def test_bad_bundles_are_refused_leaving_nothing(sim: FeedSimulator, tmp_path: Path) -> None:
    cases = _bad_bundles(sim, tmp_path)
    assert len(cases) >= 12
    updater = updater_for(sim, tmp_path)
    before = snapshot(tmp_path / "state")
    witness = Witness.install()
    for name, (path, error) in cases.items():
        with witness.recording() as log, pytest.raises(UpdaterError) as caught:
            updater.import_bundle(path)
        assert isinstance(caught.value, error), (name, caught.value)
        assert "\n" not in caught.value.message
        assert log.network == [], name
        assert snapshot(tmp_path / "state") == before, name  # no temp, no state, no record


def test_older_than_accepted_is_a_rollback(sim: FeedSimulator, tmp_path: Path) -> None:
    old_bundle = make_bundle(sim, tmp_path, name="old")
    sim.bump()
    new_bundle = make_bundle(sim, tmp_path, name="new")
    updater = updater_for(sim, tmp_path)
    updater.import_bundle(new_bundle)
    before = snapshot(tmp_path / "state")
    with pytest.raises(RollbackError):
        updater.import_bundle(old_bundle)
    assert snapshot(tmp_path / "state") == before


def test_not_newer_is_up_to_date_and_extracts_nothing(sim: FeedSimulator, tmp_path: Path) -> None:
    bundle = make_bundle(sim, tmp_path)
    updater = updater_for(sim, tmp_path, version="1.4.0")
    result, verified = updater.import_bundle(bundle)
    assert result.status is CheckStatus.UP_TO_DATE and verified is None
    assert not (tmp_path / "state" / "cache").exists()


def test_policy_pin_applies_and_disabled_still_imports(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    bundle = make_bundle(sim, tmp_path)
    pinned = updater_for(sim, tmp_path / "a", policy='max_version = "1.3"\n')
    assert pinned.import_bundle(bundle)[1] is None
    disabled = updater_for(sim, tmp_path / "b", policy="disabled = true\n")
    assert disabled.import_bundle(bundle)[1] is not None
    broken = updater_for(sim, tmp_path / "c", policy="disabled = maybe\n")
    with pytest.raises(UpdaterError, match="administrator"):
        broken.import_bundle(bundle)


def test_missing_file_is_a_local_problem(sim: FeedSimulator, tmp_path: Path) -> None:
    with pytest.raises(BundleUnreadable) as caught:
        updater_for(sim, tmp_path).import_bundle(tmp_path / "nope.glassbundle")
    assert caught.value.exit_code == 1


def test_a_fifo_named_as_the_bundle_is_refused_without_waiting(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    """Opening a FIFO for reading blocks until a writer comes; the import must not wait."""
    fifo = tmp_path / "update.glassbundle"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            updater_for(sim, tmp_path).import_bundle(fifo)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # blocked in open(): release it, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=20)
        pytest.fail("importing a FIFO waited for a writer")
    (error,) = outcome
    assert isinstance(error, BundleUnreadable) and error.exit_code == 1
    assert "not a regular file" in error.message


def _config_file(sim: FeedSimulator, tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        '[product]\nid = "demo-app"\nversion = "1.0.0"\nplatform = "linux-x86_64"\n'
        f'[feed]\nurl = "{sim.base_url}{sim.feed_path}"\ntrusted_keys = ["{sim.public_key}"]\n'
    )
    return config


def test_cli_import_json_and_exit_codes(sim: FeedSimulator, tmp_path: Path) -> None:
    bundle = make_bundle(sim, tmp_path)
    config = _config_file(sim, tmp_path)
    state = tmp_path / "cli-state"
    base = ["--config", str(config), "--state-dir", str(state)]
    policy = tmp_path / "no-policy.toml"
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["import", str(bundle), *base, "--json"], out, err, policy_path=policy) == 0
    doc = json.loads(out.getvalue())
    assert doc["status"] == "downloaded" and doc["offline"] is True
    assert doc["transmissions"] == [] and Path(doc["path"]).is_file()
    assert doc["latest"]["version"] == "1.4.0"
    cases = _bad_bundles(sim, tmp_path / "bad")
    for name, code in (("tampered-asset", 4), ("truncated", 4), ("other-product", 4)):
        err = io.StringIO()
        assert cli.main(["import", str(cases[name][0]), *base], io.StringIO(), err,
                        policy_path=policy) == code, name
        assert err.getvalue().count("\n") == 1
    err = io.StringIO()
    assert cli.main(["import", str(tmp_path / "none"), *base], io.StringIO(), err,
                    policy_path=policy) == 1
    log = io.StringIO()
    assert cli.main(["log", *base, "--json"], log, io.StringIO()) == 0
    (entry,) = json.loads(log.getvalue())["entries"]
    assert NO_NETWORK in entry["outcome"]


def test_flow_import_reaches_ready_to_install(sim: FeedSimulator, tmp_path: Path) -> None:
    bundle = make_bundle(sim, tmp_path)
    updater = updater_for(sim, tmp_path, install_command=("/bin/true", "{file}"))
    driver = RecordingDriver()
    flow = UpdateFlow(updater, driver, run_in_background=run_inline, host=FakeHost())
    flow.start_import(bundle)
    assert flow.error is None and flow.verified is not None
    assert flow.finished.is_set()
    launcher = updater._launcher
    assert isinstance(launcher, RecordingLauncher)
    assert handed_off(launcher) == str(flow.verified.path)


def test_publisher_refuses_a_site_missing_a_file(sim: FeedSimulator, tmp_path: Path) -> None:
    site = make_site(sim, tmp_path / "site")
    (site / "demo-app-1.4.0-windows-x86_64.appimage").unlink()
    out = tmp_path / "x.glassbundle"
    code = publish_cli.main(["bundle", "--site", str(site), "--version", "1.4.0",
                             "--out", str(out)])
    assert code == 1 and not out.exists()
    assert list(tmp_path.glob(".glass-tmp-*")) == []
    assert publish_cli.main(["bundle", "--site", str(site), "--version", "2.0",
                             "--out", str(out)]) == 1


def test_import_shows_every_missed_release_and_carries_critical(tmp_path: Path) -> None:
    sim = FeedSimulator()
    sim.add_release("1.1.0", critical=True, notes="security fix")
    sim.add_release("1.2.0", notes="new look")
    sim.add_release("1.3.0", notes="pulled")
    sim.withdraw("1.3.0", "corrupts settings")
    result, verified = updater_for(sim, tmp_path).import_bundle(
        make_bundle(sim, tmp_path, version="1.2.0"))
    assert verified is not None and result.release is not None
    assert [r.version for r in result.missed] == ["1.2.0", "1.1.0"]
    assert result.critical and not result.release.critical
    assert result.withdrawn is None
