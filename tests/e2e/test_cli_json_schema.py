"""docs/cli-output.schema.json describes what the real CLI prints with ``--json``.

Every shape is produced by the real command against the real feed server: up to date,
update available, downloaded, handed off, a trust error after a request, a config error
before any, a network error, and the preview. The schema is strict (no unknown fields),
so a field added to the output without documenting it fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from glass_updater.model import CheckStatus
from glass_updater.publish.keys import write_keypair
from glass_updater.wire_types import Channel, Where

from tests.cli_schema import SCHEMA, validate_cli_output
from tests.e2e.conftest import Site

pytestmark = [pytest.mark.e2e, pytest.mark.loopback]


def test_update_available_and_up_to_date(site: Site, tmp_path: Path) -> None:
    proc = site.run("check", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = validate_cli_output(proc.stdout)
    assert doc["status"] == "update-available" and doc["latest"]["asset"]["size"] > 0
    assert doc["latest"]["installable"] is True and doc["latest"]["install_problem"] is None
    newest = tmp_path / "newest.toml"
    newest.write_text(site.config.read_text().replace('version = "1.0.0"', 'version = "1.4.0"'))
    doc = validate_cli_output(site.run("check", "--json", config=newest).stdout)
    assert doc["status"] == "up-to-date" and doc["latest"] is None


def test_download_and_install(site: Site, tmp_path: Path) -> None:
    proc = site.run("download", "--json", "--dest", str(tmp_path / "copy"))
    assert proc.returncode == 0, proc.stderr
    doc = validate_cli_output(proc.stdout)
    assert doc["status"] == "downloaded" and Path(doc["path"]).parent == tmp_path / "copy"
    assert len(doc["transmissions"]) == 2
    proc = site.run("install", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = validate_cli_output(proc.stdout)
    assert doc["status"] == "downloaded" and doc["handed_off"] is True


def test_errors_after_and_before_a_request(site: Site, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text(site.config.read_text().replace(site.public_key,
                                                     write_keypair(tmp_path / "k2")))
    proc = site.run("check", "--json", config=other)
    assert proc.returncode == 4
    doc = validate_cli_output(proc.stdout)
    assert doc["error"]["kind"] == "untrusted-key" and len(doc["transmissions"]) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text(site.config.read_text().replace("[feed]", "[feeds]"))
    for command in ("check", "download", "install"):
        proc = site.run(command, "--json", config=bad)
        assert proc.returncode == 2
        doc = validate_cli_output(proc.stdout)
        assert doc["error"]["kind"] == "config" and doc["transmissions"] == []


def test_network_error(site: Site) -> None:
    site.server.stop()
    proc = site.run("check", "--json")
    assert proc.returncode == 3
    doc = validate_cli_output(proc.stdout)
    assert doc["status"] == "error" and doc["error"]["kind"] == "network"


def test_preview(site: Site) -> None:
    proc = site.run("preview", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = validate_cli_output(proc.stdout)
    names = [f["name"] for f in doc["transmissions"][0]["fields"]]
    assert names[:3] == ["feed_path", "product", "version"]


def test_the_schema_is_strict_and_its_enums_follow_the_code() -> None:
    schema = json.loads(SCHEMA.read_text())
    defs = schema["$defs"]
    assert set(defs["channel"]["enum"]) == {c.value for c in Channel}
    where = defs["previewRequest"]["properties"]["fields"]["items"]["properties"]["where"]
    assert set(where["enum"]) == {w.value for w in Where}
    statuses = set(defs["result"]["properties"]["status"]["enum"])
    assert statuses == {s.value for s in CheckStatus} | {"downloaded", "error"}
    good = {"status": "update-available", "current_version": "1.0.0", "latest": None,
            "missed": [], "critical": False, "withdrawn": None, "reason": None, "error": None,
            "transmissions": []}
    with pytest.raises(AssertionError, match="latest"):  # update-available needs latest
        validate_cli_output(json.dumps(good))
    with pytest.raises(AssertionError):  # the misspelling a first integration made
        validate_cli_output(json.dumps({**good, "status": "update_available"}))
    with pytest.raises(AssertionError):  # an undocumented field
        validate_cli_output(json.dumps({**good, "status": "up-to-date", "extra": 1}))
    validate_cli_output(json.dumps({**good, "status": "up-to-date"}))


def test_import_json_follows_the_schema(tmp_path: Path) -> None:
    import io

    from glass_updater import cli

    from tests.sim import FeedSimulator
    from tests.updater.test_offline import _config_file, make_bundle

    sim = FeedSimulator()
    sim.add_release("1.4.0")
    bundle = make_bundle(sim, tmp_path)
    base = ["--config", str(_config_file(sim, tmp_path)), "--state-dir", str(tmp_path / "s")]
    out = io.StringIO()
    assert cli.main(["import", str(bundle), *base, "--json"], out, io.StringIO(),
                    policy_path=tmp_path / "no-policy.toml") == 0
    doc = validate_cli_output(out.getvalue())
    assert doc["status"] == "downloaded" and doc["offline"] is True
    bad = tmp_path / "bad.glassbundle"
    bad.write_bytes(b"nope")
    out = io.StringIO()
    assert cli.main(["import", str(bad), *base, "--json"], out, io.StringIO(),
                    policy_path=tmp_path / "no-policy.toml") == 4
    doc = validate_cli_output(out.getvalue())
    assert doc["error"]["kind"] == "bundle" and doc["transmissions"] == []
