"""``updater-publish import-appcast``: Sparkle/WinSparkle appcasts to a Glass payload.

The fixtures are written here in the shapes Sparkle's and WinSparkle's own test appcasts
use (versions as enclosure attributes or elements, channels, critical updates inside and
outside ``sparkle:tags``, deltas, per-OS enclosures, HTML descriptions, notes links).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from glass_updater.errors import ConfigError
from glass_updater.feed import parse_payload
from glass_updater.publish.appcast import html_to_text, parse_appcast
from glass_updater.publish.cli import main

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
NS = 'xmlns:sparkle="http://www.andymatuschak.org/xml-namespaces/sparkle"'

MAC_APPCAST = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" {NS} xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Teapot Timer</title>
    <item>
      <title>Teapot Timer 2.1</title>
      <pubDate>Tue, 03 Mar 2026 09:30:00 +0000</pubDate>
      <sparkle:version>210</sparkle:version>
      <sparkle:shortVersionString>2.1.0</sparkle:shortVersionString>
      <sparkle:minimumSystemVersion>12.0</sparkle:minimumSystemVersion>
      <sparkle:tags><sparkle:criticalUpdate></sparkle:criticalUpdate></sparkle:tags>
      <sparkle:phasedRolloutInterval>43200</sparkle:phasedRolloutInterval>
      <description><![CDATA[<h2>Brews faster</h2>
        <ul><li>New timer</li><li>Fix &amp; polish</li></ul>
        <script>alert(1)</script>]]></description>
      <enclosure url="https://dl.example.org/teapot/TeapotTimer-2.1.0.zip" length="2048"
                 type="application/octet-stream" sparkle:edSignature="c2lnbmF0dXJl"/>
      <sparkle:deltas>
        <enclosure url="https://dl.example.org/teapot/2.1.0-from-2.0.0.delta"
                   sparkle:version="210" sparkle:deltaFrom="200" length="12"/>
      </sparkle:deltas>
    </item>
    <item>
      <title>Teapot Timer 2.2 beta</title>
      <pubDate>Wed, 01 Apr 2026 10:00:00 +0200</pubDate>
      <sparkle:channel>beta</sparkle:channel>
      <sparkle:releaseNotesLink>https://example.org/teapot/2.2b1.html</sparkle:releaseNotesLink>
      <enclosure url="https://dl.example.org/teapot/TeapotTimer-2.2.0b1.dmg" length="1024"
                 sparkle:version="220" sparkle:shortVersionString="2.2.0b1"/>
    </item>
    <item>
      <title>Teapot Timer 2.0</title>
      <description>Plain words.</description>
      <pubDate>Sun, 01 Feb 2026 08:00:00 GMT</pubDate>
      <sparkle:criticalUpdate sparkle:version="1.5"/>
      <enclosure url="https://dl.example.org/teapot/TeapotTimer-2.0.0.zip"
                 sparkle:version="200" sparkle:shortVersionString="2.0.0" length="512"/>
    </item>
    <item>
      <title>What's new this month</title>
      <sparkle:informationalUpdate/>
      <sparkle:version>215</sparkle:version>
      <link>https://example.org/teapot/news</link>
    </item>
  </channel>
</rss>
"""

WIN_APPCAST = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" {NS}>
  <channel>
    <title>Kettle</title>
    <item>
      <title>Kettle 3.0.1</title>
      <pubDate>Mon, 02 Mar 2026 12:00:00 +0000</pubDate>
      <sparkle:version>3.0.1</sparkle:version>
      <sparkle:minimumSystemVersion>10.0.17763</sparkle:minimumSystemVersion>
      <enclosure url="https://dl.example.org/kettle/Kettle-3.0.1-x64.msi" length="300"
                 sparkle:os="windows-x64" sparkle:installerArguments="/quiet"/>
    </item>
    <item>
      <title>Kettle 3.0.1 (ARM)</title>
      <pubDate>Mon, 02 Mar 2026 12:00:00 +0000</pubDate>
      <sparkle:version>3.0.1</sparkle:version>
      <enclosure url="https://dl.example.org/kettle/Kettle-3.0.1-arm64.exe" length="200"
                 sparkle:os="windows-arm64"/>
    </item>
    <item>
      <title>Kettle nightly</title>
      <sparkle:version>3.1.0.dev5</sparkle:version>
      <sparkle:channel>nightly</sparkle:channel>
      <enclosure url="https://dl.example.org/kettle/Kettle-3.1.0.dev5-x64.exe" length="100"
                 sparkle:os="windows-x64"/>
    </item>
  </channel>
</rss>
"""


def files(folder: Path, sizes: dict[str, int]) -> dict[str, bytes]:
    folder.mkdir(exist_ok=True)
    out = {}
    for name, size in sizes.items():
        data = (name.encode() * (size // len(name) + 1))[:size]
        (folder / name).write_bytes(data)
        out[name] = data
    return out


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], xml: str, *extra: str) -> tuple[
    int, str, str
]:
    appcast = tmp_path / "appcast.xml"
    appcast.write_text(xml, encoding="utf-8")
    code = main(["import-appcast", str(appcast), "--assets", str(tmp_path / "assets"),
                 "--out", str(tmp_path / "payload.json"), *extra], now=NOW)
    out = capsys.readouterr()
    return code, out.out, out.err


MAC_FILES = {"TeapotTimer-2.1.0.zip": 2048, "TeapotTimer-2.2.0b1.dmg": 1024,
             "TeapotTimer-2.0.0.zip": 512}
WIN_FILES = {"Kettle-3.0.1-x64.msi": 300, "Kettle-3.0.1-arm64.exe": 200,
             "Kettle-3.1.0.dev5-x64.exe": 100}


def test_sparkle_appcast_becomes_a_valid_payload(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = files(tmp_path / "assets", MAC_FILES)
    code, out, err = run(tmp_path, capsys, MAC_APPCAST)
    assert code == 0, err
    feed = parse_payload((tmp_path / "payload.json").read_bytes())  # the client's own schema
    assert feed.product == "teapot-timer" and feed.serial == 1
    assert feed.expires == NOW + timedelta(days=30)
    assert [r.version for r in feed.releases] == ["2.2.0b1", "2.1.0", "2.0.0"]
    beta, current, old = feed.releases
    assert (beta.channel, current.channel, old.channel) == ("beta", "stable", "stable")
    assert current.critical and old.critical and not beta.critical
    assert current.min_os == (("macos", "12.0"),)
    assert current.published == datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
    assert beta.published == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    assert current.notes == "Brews faster\n\n- New timer\n- Fix & polish"
    assert old.notes == "Plain words."
    assert beta.notes == "Release notes: https://example.org/teapot/2.2b1.html"
    # A Sparkle item is offered to every Mac: one asset per Mac architecture, same file.
    assert [(a.platform, a.kind) for a in current.assets] == [
        ("macos-arm64", "zip"), ("macos-x86_64", "zip")]
    for asset in current.assets:
        body = data["TeapotTimer-2.1.0.zip"]
        assert asset.url == "https://dl.example.org/teapot/TeapotTimer-2.1.0.zip"
        assert (asset.size, asset.sha256) == (len(body), hashlib.sha256(body).hexdigest())
    assert beta.assets[0].kind == "dmg"
    # What did not carry over is said, not silently dropped.
    assert "EdDSA archive signatures" in err and "delta updates" in err
    assert "phased rollout" in err and "informational updates" in err
    assert "not fetched offline" in err and "critical-below-a-version" in err
    assert "skipped What's new this month" in err
    assert "2.1.0 [stable critical] macos-arm64 zip, macos-x86_64 zip" in out


def test_winsparkle_items_per_os_merge_into_one_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files(tmp_path / "assets", WIN_FILES)
    code, _, err = run(tmp_path, capsys, WIN_APPCAST, "--product", "kettle")
    assert code == 2
    assert "nightly" in err and "--channel-map nightly=beta" in err
    assert not (tmp_path / "payload.json").exists()
    code, _, err = run(tmp_path, capsys, WIN_APPCAST, "--product", "kettle",
                       "--channel-map", "nightly=beta")
    assert code == 0, err
    feed = parse_payload((tmp_path / "payload.json").read_bytes())
    assert [r.version for r in feed.releases] == ["3.1.0.dev5", "3.0.1"]
    nightly, stable = feed.releases
    assert nightly.channel == "beta"
    assert [(a.platform, a.kind) for a in stable.assets] == [
        ("windows-x86_64", "msi"), ("windows-arm64", "exe")]
    assert stable.min_os == (("windows", "10.0.17763"),)
    assert "installerArguments" in err


def test_base_url_rewrites_where_the_files_are_published(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files(tmp_path / "assets", MAC_FILES)
    xml = MAC_APPCAST.replace("https://dl.example.org/teapot/", "http://old.example.org/")
    code, _, err = run(tmp_path, capsys, xml)
    assert code == 2 and "--base-url https://" in err and err.count("\n") == 1
    code, _, err = run(tmp_path, capsys, xml, "--base-url", "https://new.example.com/t")
    assert code == 0, err
    doc = json.loads((tmp_path / "payload.json").read_text())
    assert doc["releases"][0]["assets"][0]["url"] == (
        "https://new.example.com/t/TeapotTimer-2.2.0b1.dmg")


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda x: x.replace('<?xml version="1.0" encoding="utf-8"?>',
                             '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM '
                             '"file:///etc/passwd">]>'), "DOCTYPE"),
        (lambda x: x.replace("<rss", "<!doctype rss><rss", 1), "DOCTYPE"),
        (lambda x: x.replace("</channel>", ""), "not well-formed"),
        (lambda x: x.replace('length="2048"', 'length="4096"'), "length 4096"),
        (lambda x: x.replace("2.1.0</sparkle:shortVersionString>",
                             "two-one</sparkle:shortVersionString>"), "--version-from build"),
        (lambda x: x.replace("<sparkle:minimumSystemVersion>12.0",
                             "<sparkle:minimumSystemVersion>twelve"), "minimumSystemVersion"),
    ],
)
def test_bad_appcasts_are_one_line_refusals_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: object, message: str
) -> None:
    files(tmp_path / "assets", MAC_FILES)
    code, _, err = run(tmp_path, capsys, edit(MAC_APPCAST))  # type: ignore[operator]
    assert code == 2
    assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "payload.json").exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le"])
def test_doctype_in_another_encoding_is_refused_before_parsing(encoding: str) -> None:
    """The byte pattern cannot see ``<!DOCTYPE`` in UTF-16; expat decodes it and would
    expand the entities. The refusal must not depend on the encoding."""
    xml = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE rss '
           '[<!ENTITY a "AAAA"><!ENTITY b "&a;&a;">]><rss><channel><title>&b;</title>'
           "</channel></rss>")
    with pytest.raises(ConfigError, match="DOCTYPE"):
        parse_appcast(xml.encode(encoding))


def test_missing_local_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files(tmp_path / "assets", {"TeapotTimer-2.1.0.zip": 2048})
    code, _, err = run(tmp_path, capsys, MAC_APPCAST)
    assert code == 2 and err.count("\n") == 1
    assert "TeapotTimer-2.2.0b1.dmg" in err and "put a copy" in err


def test_html_notes_become_inert_text() -> None:
    assert html_to_text("<p>One</p><p>Two <b>bold</b></p><style>x{}</style>") == "One\n\nTwo bold"
    assert html_to_text("no markup") == "no markup"
