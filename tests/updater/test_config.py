"""The packager config: the key names of DESIGN.md §8, clear errors, nothing widened."""

from __future__ import annotations

from pathlib import Path

import pytest
from glass_updater.config import load_config, parse_config
from glass_updater.errors import ConfigError

KEY = "ed25519:" + "A" * 43 + "="

GOOD = f"""
[product]
id = "demo-app"
name = "Demo App"
version = "1.0.0"

[feed]
url = "https://updates.example.com/demo-app/feed.json"
trusted_keys = ["{KEY}"]
channel = "beta"

[network]
proxy = "none"

[privacy]
remove_fields = ["version"]
"""


def test_full_config_parses() -> None:
    cfg = parse_config(GOOD)
    assert (cfg.product_id, cfg.product_name, cfg.version) == ("demo-app", "Demo App", "1.0.0")
    assert cfg.trusted_keys == (KEY,)
    assert cfg.channel == "beta" and cfg.proxy == "none"
    assert cfg.remove_fields == ("version",)


def test_no_trusted_key_is_a_config_error() -> None:
    """Threat 8: an updater with no trusted key refuses to start; nothing is ever fetched."""
    with pytest.raises(ConfigError, match="trusted_keys is empty"):
        parse_config(GOOD.replace(f'["{KEY}"]', "[]"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('channel = "beta"', 'channel = "nightly"', "channel must be one of"),
        ('proxy = "none"', 'proxy = "socks5://x:1"', "proxy must be"),
        ('id = "demo-app"', "id = 3", r"\[product\] id must be"),
        ("[privacy]", "[telemetry]", "unknown section"),
        ('name = "Demo App"', 'name = "Demo App"\nuser = "alice"', "unknown key"),
        (f'["{KEY}"]', '["rsa:abc"]', "not an ed25519"),
        ("[network]", "[network\n", "not valid TOML"),
        ("[product]", "product = 3\n[x]", r"product must be a table: write \[product\]"),
    ],
)
def test_bad_config_gives_one_line_error(old: str, new: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse_config(GOOD.replace(old, new))
    assert "\n" not in str(info.value)


def test_missing_config_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found; pass --config"):
        load_config(tmp_path / "nope.toml")


def test_unreadable_config_files_say_what_to_do(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.toml"
    latin.write_bytes(GOOD.replace("Demo App", "D\xe9mo").encode("latin-1"))
    with pytest.raises(ConfigError, match="is not UTF-8 text; save it as UTF-8") as info:
        load_config(latin)
    assert "codec" not in info.value.message
    with pytest.raises(ConfigError, match="is a folder; pass --config FILE") as info:
        load_config(tmp_path)
    assert "Errno" not in info.value.message


def test_relative_ca_file_is_resolved_next_to_config(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("x")
    cfg_path = tmp_path / "c.toml"
    cfg_path.write_text(GOOD.replace('channel = "beta"', 'channel = "beta"\nca_file = "ca.pem"'))
    assert load_config(cfg_path).ca_file == tmp_path / "ca.pem"


def test_bundled_demo_config_loads() -> None:
    cfg = load_config(None)
    assert cfg.product_id == "demo-app" and cfg.trusted_keys
