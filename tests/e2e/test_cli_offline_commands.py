"""P1: preview, audit and log open no network socket (PEP 578 witness in a subprocess)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from glass_updater.allowlist import load_allowlist
from glass_updater.config import load_config
from glass_updater.request import build_check_request

from tests.e2e.netwatch import run_watched

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "argv",
    [
        ("preview",),
        ("preview", "--json"),
        ("audit",),
        ("audit", "--format", "json"),
        ("audit", "--format", "markdown"),
        ("log",),
        ("log", "--json"),
    ],
)
def test_offline_command_opens_no_socket(argv: tuple[str, ...], tmp_path: Path) -> None:
    extra = ("--state-dir", str(tmp_path / "state")) if argv[0] == "log" else ()
    run = run_watched("updater", *argv, *extra, out_file=tmp_path / "events.jsonl")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip()
    assert run.events == (), f"network activity during `updater {' '.join(argv)}`: {run.events}"


def test_witness_does_see_a_socket(tmp_path: Path) -> None:
    """The witness itself must be able to fail: a real socket shows up in its log."""
    (tmp_path / "probe.py").write_text("import socket\nsocket.socket().close()\n")
    run = run_watched(
        "probe", out_file=tmp_path / "e.jsonl", env={"PYTHONPATH": str(tmp_path)}
    )
    assert run.returncode == 0, run.stderr
    assert [e[0] for e in run.events] == ["socket.__new__"]


def test_preview_json_is_the_builders_bytes(tmp_path: Path) -> None:
    run = run_watched("updater", "preview", "--json", out_file=tmp_path / "e.jsonl")
    doc = json.loads(run.stdout)
    (tx,) = doc["transmissions"]
    cfg = load_config(None)
    expected = build_check_request(
        load_allowlist(), feed_url=cfg.feed_url, product=cfg.product_id, version=cfg.version,
        proxy=None, max_body=1,
    ).request_bytes
    assert base64.b64decode(tx["request_b64"]) == expected
    assert {f["name"] for f in tx["fields"]} >= {"product", "version", "user_agent"}


def test_audit_markdown_reads_as_a_privacy_statement(tmp_path: Path) -> None:
    run = run_watched("updater", "audit", "--format", "markdown", out_file=tmp_path / "e.jsonl")
    text = run.stdout
    assert text.startswith("# What Demo App sends when it checks for updates")
    assert "only when you ask it to" in text
    assert "**product**" in text and "**version**" in text
    assert "IP address" in text and "SNI" in text
    assert load_allowlist().sha256 in text


def test_privacy_statement_names_this_products_values(tmp_path: Path) -> None:
    """A packager ships this text: its examples are the product's own id and version."""
    from glass_updater import config_from_dict
    from glass_updater.policy import privacy_statement_markdown

    cfg = config_from_dict({
        "product": {"id": "my-app", "name": "My App", "version": "2.3.1"},
        "feed": {"url": "https://updates.example.com/my-app/feed.json",
                 "trusted_keys": [load_config(None).trusted_keys[0]]},
    })
    text = privacy_statement_markdown(load_allowlist(), cfg)
    assert "- **product** (for example `my-app`)" in text
    assert "- **version** (for example `2.3.1`)" in text
