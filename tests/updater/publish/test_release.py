"""``updater-publish release`` / ``resign`` / ``sign --site``: built files to a signed site.

Every refusal is one line that says what to fix, and leaves the folder tree (names, bytes,
modes) exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from glass_updater.feed import TrustFloor, parse_payload, verify_feed
from glass_updater.publish.cli import main
from glass_updater.publish.names import infer_platforms
from glass_updater.signing import parse_envelope

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BASE = "https://updates.example.com/demo-app"


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every path under ``root`` with its mode and (for files) bytes."""
    out: dict[str, tuple[int, bytes]] = {}
    for path in sorted(root.rglob("*")):
        data = path.read_bytes() if path.is_file() else b""
        out[str(path.relative_to(root))] = (stat.S_IMODE(path.stat().st_mode), data)
    return out


class Pub:
    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.root = root
        self.capsys = capsys
        self.work = root / "work"
        self.site = self.work / "site"
        self.build = root / "build"
        self.build.mkdir()
        self.work.mkdir()
        assert main(["keygen", "--out", str(root / "keys")]) == 0
        self.public = capsys.readouterr().out.strip()
        self.key = root / "keys" / "private.key"

    def file(self, name: str, data: bytes | None = None) -> Path:
        path = self.build / name
        path.write_bytes(data if data is not None else f"build of {name}\n".encode() * 50)
        return path

    def run(self, *argv: str, now: datetime = NOW) -> tuple[int, str, str]:
        code = main(list(argv), now=now)
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def release(self, *argv: str, now: datetime = NOW) -> tuple[int, str, str]:
        return self.run("release", "--key", str(self.key), "--site", str(self.site), *argv,
                        now=now)

    def feed(self, now: datetime = NOW) -> object:
        return verify_feed(
            (self.site / "feed.json").read_bytes(), trusted_keys=[self.public],
            product="demo-app", now=now, floor=None,
        )

    def refused(self, *argv: str, code: int | None = None, cmd: str = "release") -> str:
        """Run a command that must be refused: one line, nothing changed on disk."""
        before = snapshot(self.root)
        if cmd == "release":
            got, out, err = self.release(*argv)
        else:
            got, out, err = self.run(cmd, *argv)
        assert got != 0, out
        if code is not None:
            assert got == code, err
        assert err.count("\n") == 1 and err.startswith("updater-publish: "), err
        assert snapshot(self.root) == before
        return err


@pytest.fixture
def pub(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Pub:
    return Pub(tmp_path, capsys)


def first_release(pub: Pub) -> None:
    notes = pub.root / "notes.md"
    notes.write_text("## 1.1.0\n\n- first\n", encoding="utf-8")
    code, _, err = pub.release(
        "--version", "1.1.0", "--product", "demo-app", "--base-url", BASE,
        "--notes", str(notes),
        str(pub.file("demo-app-1.1.0-x86_64.AppImage")), str(pub.file("demo-app_1.1.0_amd64.deb")),
    )
    assert code == 0, err


def test_first_release_hashes_infers_signs_copies_and_verifies(pub: Pub) -> None:
    first_release(pub)
    feed = pub.feed()
    assert feed.serial == 1  # type: ignore[attr-defined]
    assert feed.expires == NOW + timedelta(days=30)  # type: ignore[attr-defined]
    (release,) = feed.releases  # type: ignore[attr-defined]
    assert release.version == "1.1.0" and release.notes == "## 1.1.0\n\n- first"
    assert {(a.platform, a.kind) for a in release.assets} == {
        ("linux-x86_64", "appimage"), ("linux-x86_64", "deb")}
    for asset in release.assets:
        name = asset.url.rsplit("/", 1)[1]
        data = (pub.site / name).read_bytes()
        assert asset.url == f"{BASE}/{name}"
        assert (asset.size, asset.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    # The staging folder is gone; only the site sits beside the work folder.
    assert sorted(p.name for p in pub.work.iterdir()) == ["site"]


def test_second_release_raises_serial_keeps_first_and_reuses_base_url(pub: Pub) -> None:
    first_release(pub)
    old = pub.feed()
    code, out, _ = pub.release("--version", "1.2.0", "--critical", "--channel", "beta",
                               "--expires-in", "2w", str(pub.file("demo-app-1.2.0-arm64.AppImage")),
                               now=NOW + timedelta(days=1))
    assert code == 0
    assert "serial 1 -> 2" in out and "+ 1.2.0 [beta critical] linux-arm64 appimage" in out
    data = (pub.site / "feed.json").read_bytes()
    feed = verify_feed(data, trusted_keys=[pub.public], product="demo-app", now=NOW,
                       floor=TrustFloor(old.serial, old.digest))  # type: ignore[attr-defined]
    assert [r.version for r in feed.releases] == ["1.2.0", "1.1.0"]
    assert feed.releases[1] == old.releases[0]  # type: ignore[attr-defined]
    assert feed.releases[0].assets[0].url == f"{BASE}/demo-app-1.2.0-arm64.AppImage"
    assert feed.expires == NOW + timedelta(days=1, weeks=2)


def test_resign_raises_serial_and_expiry_and_keeps_releases(pub: Pub) -> None:
    first_release(pub)
    old = pub.feed()
    later = NOW + timedelta(days=7)
    code, out, _ = pub.run("resign", "--key", str(pub.key), "--site", str(pub.site), now=later)
    assert code == 0 and "serial 1 -> 2" in out
    new = pub.feed(later)
    assert new.serial == 2 and new.expires == later + timedelta(days=30)  # type: ignore[attr-defined]
    assert new.releases == old.releases  # type: ignore[attr-defined]


def test_resign_with_a_second_trusted_key_needs_the_release_key_public_only(
    pub: Pub, capsys: pytest.CaptureFixture[str]
) -> None:
    first_release(pub)
    assert main(["keygen", "--out", str(pub.root / "resign-keys")]) == 0
    resign_public = capsys.readouterr().out.strip()
    resign_key = pub.root / "resign-keys" / "private.key"
    # Without saying which key signed the current feed, the resign key cannot vouch for it.
    err = pub.refused("--key", str(resign_key), "--site", str(pub.site), cmd="resign", code=1)
    assert "--trusted-key" in err
    code, _, _ = pub.run("resign", "--key", str(resign_key), "--trusted-key", pub.public,
                         "--site", str(pub.site))
    assert code == 0
    feed = verify_feed((pub.site / "feed.json").read_bytes(), trusted_keys=[resign_public],
                       product="demo-app", now=NOW, floor=None)
    assert feed.serial == 2


def test_withdraw_records_signed_reason_and_removes_the_release(pub: Pub) -> None:
    first_release(pub)
    app = pub.file("demo-app-1.2.0-x86_64.AppImage")
    assert pub.release("--version", "1.2.0", str(app))[0] == 0
    code, out, _ = pub.release("--withdraw", "1.2.0", "--reason", "corrupts settings")
    assert code == 0 and "1.2.0 withdrawn: corrupts settings" in out
    feed = pub.feed()
    assert [r.version for r in feed.releases] == ["1.1.0"]  # type: ignore[attr-defined]
    (gone,) = feed.withdrawn  # type: ignore[attr-defined]
    assert (gone.version, gone.reason, gone.withdrawn) == ("1.2.0", "corrupts settings", NOW)
    assert feed.serial == 3  # type: ignore[attr-defined]
    # Never again under that version, and not twice.
    pub.refused("--version", "1.2.0", str(pub.file("demo-app-1.2.0b-x86_64.AppImage")), code=1)
    pub.refused("--withdraw", "1.2.0", "--reason", "again", code=1)


def test_refusals_are_one_line_and_change_nothing(pub: Pub) -> None:
    first_release(pub)
    app = pub.file("demo-app-1.3.0-x86_64.AppImage")
    assert "already published" in pub.refused("--version", "1.1.0", str(app))
    # Same file name, other bytes: refused (a cache or mirror may hold the old bytes).
    pub.file("demo-app_1.1.0_amd64.deb", b"rebuilt with other bytes\n")
    err = pub.refused("--version", "1.3.0", str(pub.build / "demo-app_1.1.0_amd64.deb"))
    assert "already published with other bytes" in err
    assert "cannot tell the architecture" in pub.refused(
        "--version", "1.3.0", str(pub.file("demo-app-1.3.0.AppImage")))
    assert "pass --kind" in pub.refused("--version", "1.3.0", str(pub.file("demo-app.bin")))
    assert "PEP 440" in pub.refused("--version", "one", str(app))
    assert "not a readable file" in pub.refused("--version", "1.3.0", str(pub.build / "nope.deb"))
    assert "is empty" in pub.refused("--version", "1.3.0", str(pub.file("e-x86_64.AppImage", b"")))
    assert "--expires-in" in pub.refused("--version", "1.3.0", "--expires-in", "5y", str(app))
    assert "--reason" in pub.refused("--withdraw", "1.1.0")
    assert "plain text" in pub.refused("--withdraw", "1.1.0", "--reason", "a\x1b[31mred")
    assert "not a published release" in pub.refused("--withdraw", "9.0", "--reason", "x")
    assert "--product" in pub.refused("--version", "1.3.0", "--product", "other", str(app))
    # A key inside the site would be uploaded with it.
    inside = pub.site / "k.key"
    inside.write_bytes(pub.key.read_bytes())
    os.chmod(inside, 0o600)
    before = snapshot(pub.root)
    code, _, err = pub.run("release", "--key", str(inside), "--site", str(pub.site),
                           "--version", "1.3.0", str(app))
    assert code == 1 and "inside the site folder" in err and snapshot(pub.root) == before
    inside.unlink()
    # A tampered feed is never re-signed into a genuine one.
    feed_path = pub.site / "feed.json"
    doc = json.loads(feed_path.read_bytes())
    doc["signatures"][0]["sig"] = doc["signatures"][0]["sig"][::-1]
    feed_path.write_text(json.dumps(doc))
    assert "does not verify" in pub.refused("--version", "1.3.0", str(app))


def test_first_release_needs_base_url_and_product(pub: Pub) -> None:
    app = str(pub.file("demo-app-1.1.0-x86_64.AppImage"))
    assert "--base-url" in pub.refused("--version", "1.1.0", "--product", "demo-app", app)
    assert "--product" in pub.refused("--version", "1.1.0", "--base-url", BASE, app)
    assert not pub.site.exists()


def test_a_failure_while_moving_files_in_leaves_the_site_as_it_was(
    pub: Pub, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_release(pub)
    before = snapshot(pub.root)
    real_replace = os.replace

    def replace_failing_on_feed(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == "feed.json":
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_failing_on_feed)
    code, _, err = pub.release("--version", "1.2.0",
                               str(pub.file("demo-app-1.2.0-x86_64.AppImage")))
    monkeypatch.undo()
    assert code == 1 and "nothing was published" in err
    after = snapshot(pub.root)
    del after["build/demo-app-1.2.0-x86_64.AppImage"]
    assert after == before


def test_feed_verifies_before_anything_is_replaced(pub: Pub) -> None:
    """What the client's verifier would refuse (here: a plain-http asset URL on a public
    host) is refused before the site changes, with the client's reason."""
    first_release(pub)
    err = pub.refused("--version", "1.2.0", "--base-url", "http://updates.example.com",
                      str(pub.file("demo-app-1.2.0-x86_64.AppImage")), code=4)
    assert err.startswith("updater-publish: refusing to publish: clients would refuse")
    assert "url" in err and "contact the publisher" not in err
    notes = pub.root / "long.md"
    notes.write_text("x" * 300_000)
    assert "notes" in pub.refused("--version", "1.2.0", "--notes", str(notes),
                                  str(pub.file("demo-app-1.2.0-x86_64.AppImage")))


@pytest.mark.parametrize(
    "name, platforms, kind",
    [
        ("app-1.0-x86_64.AppImage", ("linux-x86_64",), "appimage"),
        ("app_1.0_amd64.deb", ("linux-x86_64",), "deb"),
        ("app-1.0.aarch64.rpm", ("linux-arm64",), "rpm"),
        ("app-1.0-linux-arm64.tar.gz", ("linux-arm64",), "tar.gz"),
        ("app-1.0-macos-arm64.tar.gz", ("macos-arm64",), "tar.gz"),
        ("App Setup 1.0 x64.exe", ("windows-x86_64",), "exe"),
        ("app-1.0-arm64.msi", ("windows-arm64",), "msi"),
        ("App-1.0-universal.dmg", ("macos-arm64", "macos-x86_64"), "dmg"),
        ("App-1.0-x86_64.pkg", ("macos-x86_64",), "pkg"),
    ],
)
def test_platform_and_kind_from_names(name: str, platforms: tuple[str, ...], kind: str) -> None:
    assert infer_platforms(name) == (platforms, kind)


def test_flags_override_inference() -> None:
    assert infer_platforms("blob.bin", platform="linux-riscv64", kind="tar.gz") == (
        ("linux-riscv64",), "tar.gz")
    assert infer_platforms("app-x86_64.AppImage", platform="linux-arm64") == (
        ("linux-arm64",), "appimage")


def test_sign_checks_the_assets_it_can_see(pub: Pub) -> None:
    first_release(pub)
    payload = pub.root / "payload.json"
    payload.write_bytes(parse_envelope((pub.site / "feed.json").read_bytes()).payload)
    doc = json.loads(payload.read_bytes())
    doc["serial"] = 2
    doc["releases"][0]["assets"][0]["size"] += 1
    payload.write_text(json.dumps(doc))
    out = pub.root / "signed.json"
    err = pub.refused("--key", str(pub.key), str(payload), "--out", str(out),
                      "--site", str(pub.site), cmd="sign")
    assert "does not match release 1.1.0 (size" in err
    doc["releases"][0]["assets"][0]["size"] -= 1
    doc["releases"][0]["assets"][0]["sha256"] = "0" * 64
    payload.write_text(json.dumps(doc))
    err = pub.refused("--key", str(pub.key), str(payload), "--out", str(out),
                      "--assets", str(pub.site), cmd="sign")
    assert "(sha256" in err
    doc["releases"][0]["assets"][0]["sha256"] = parse_payload(
        parse_envelope((pub.site / "feed.json").read_bytes()).payload
    ).releases[0].assets[0].sha256
    payload.write_text(json.dumps(doc))
    code, _, err = pub.run("sign", "--key", str(pub.key), str(payload), "--out", str(out),
                           "--site", str(pub.site), "--previous", str(pub.root / "none.json"))
    assert code == 0, err
    assert "2 listed file(s)" in err and "first publication" in err


def test_publishing_docs_name_every_option_of_the_publishing_commands() -> None:
    from glass_updater.publish.cli import _parser

    docs = Path(__file__).resolve().parents[3] / "docs"
    text = (docs / "publishing.md").read_text(encoding="utf-8")
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for name in ("release", "resign", "import-appcast", "sign", "serve"):
        command = sub.choices[name]  # type: ignore[index]
        assert f"updater-publish {name}" in text, name
        for action in command._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in text, f"updater-publish {name} {option} is undocumented"


def test_a_concurrent_resign_is_never_overwritten(
    pub: Pub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two publications built on the same feed would both claim the next serial: the
    second to finish publishes nothing and says so."""
    from glass_updater.publish import release as release_module

    first_release(pub)
    real_check = release_module.check_asset_bytes
    ran: list[int] = []

    def resign_meanwhile(asset: object, path: Path) -> None:
        if not ran:  # another process re-signs while this release is being prepared
            ran.append(main(["resign", "--key", str(pub.key), "--site", str(pub.site)],
                            now=NOW))
        real_check(asset, path)  # type: ignore[arg-type]

    monkeypatch.setattr(release_module, "check_asset_bytes", resign_meanwhile)
    code = main(["release", "--key", str(pub.key), "--site", str(pub.site), "--version",
                 "1.2.0", str(pub.file("demo-app-1.2.0-x86_64.AppImage"))], now=NOW)
    err = pub.capsys.readouterr().err
    assert ran == [0] and code == 1
    assert "changed while publishing" in err and err.count("\n") == 1
    feed = pub.feed()
    assert feed.serial == 2 and [r.version for r in feed.releases] == ["1.1.0"]  # type: ignore[attr-defined]
    assert not (pub.site / "demo-app-1.2.0-x86_64.AppImage").exists()


def test_several_keys_sign_for_rotation(pub: Pub, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen", "--out", str(pub.root / "next")]) == 0
    next_public = capsys.readouterr().out.strip()
    code, _, err = pub.release(
        "--key", str(pub.root / "next" / "private.key"), "--version", "1.1.0",
        "--product", "demo-app", "--base-url", BASE,
        str(pub.file("demo-app-1.1.0-x86_64.AppImage")))
    assert code == 0, err
    data = (pub.site / "feed.json").read_bytes()
    assert len(parse_envelope(data).signatures) == 2
    for key in (pub.public, next_public):  # an app trusting either key accepts it
        assert verify_feed(data, trusted_keys=[key], product="demo-app", now=NOW,
                           floor=None).serial == 1


def test_usage_mistakes_are_one_line_too(pub: Pub) -> None:
    before = snapshot(pub.root)
    for argv, expected in ((["release", "--version", "1.0.0"], "required: --key, --site"),
                           (["frobnicate"], "invalid choice")):
        code, out, err = pub.run(*argv)
        assert code == 2 and out == "" and err.count("\n") == 1, err
        assert expected in err and "--help" in err
    assert snapshot(pub.root) == before
