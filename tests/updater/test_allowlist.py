"""The allowlist file: valid as shipped, narrowed by packagers, never widened."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from glass_updater.allowlist import default_allowlist_bytes, load_allowlist, parse_allowlist
from glass_updater.config import parse_config
from glass_updater.errors import ConfigError
from glass_updater.request import build_check_request
from glass_updater.wire_types import RequestKind, Where

KEY = "ed25519:" + "A" * 43 + "="


def test_shipped_allowlist_is_complete_and_pinned() -> None:
    allowlist = load_allowlist()
    assert allowlist.sha256 == hashlib.sha256(default_allowlist_bytes()).hexdigest()
    for field in allowlist.fields:
        assert field.purpose.endswith(".") and field.accepts(field.example), field.name
    check = {f.name for f in allowlist.for_request(RequestKind.CHECK)}
    assert check == {
        "feed_path", "product", "version", "host", "user_agent", "accept", "accept_encoding",
        "connection",
    }
    headers = [f.key for f in allowlist.for_request(RequestKind.CHECK) if f.where is Where.HEADER]
    assert headers == ["Host", "User-Agent", "Accept", "Accept-Encoding", "Connection"]


def test_narrowing_removes_a_field_from_the_wire() -> None:
    narrowed = load_allowlist().narrow(["version"])
    request = build_check_request(
        narrowed, feed_url="https://u.example.com/demo-app/feed.json", product="demo-app",
        version="1.0.0", proxy=None, max_body=10,
    )
    assert request.request_bytes.startswith(b"GET /demo-app/feed.json?product=demo-app HTTP")
    assert "version" not in {f.name for f in request.fields}
    assert narrowed.removed == ("version",)
    assert narrowed.sha256 == load_allowlist().sha256  # the shipped file is still the one pinned


@pytest.mark.parametrize("name", ["host", "user_agent", "feed_path", "accept_encoding"])
def test_removing_a_required_field_is_a_config_error(name: str) -> None:
    with pytest.raises(ConfigError, match=f"cannot remove {name!r}"):
        load_allowlist().narrow([name])


def test_removing_an_unknown_field_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="unknown field 'hostname'"):
        load_allowlist().narrow(["hostname"])


@pytest.mark.parametrize("key", ["add_fields", "extra_fields", "send"])
def test_packager_adding_a_field_is_a_config_error_naming_it(key: str, tmp_path: Path) -> None:
    text = (
        '[product]\nid = "demo-app"\nversion = "1.0.0"\n'
        f'[feed]\nurl = "https://u.example.com/feed.json"\ntrusted_keys = ["{KEY}"]\n'
        f'[privacy]\n{key} = ["hostname"]\n'
    )
    with pytest.raises(ConfigError, match=key):
        parse_config(text, tmp_path / "config.toml")


BASE = """version = 1
[[field]]
name = "feed_path"
request = "check"
where = "path"
pattern = '^/[a-z.]+$'
purpose = "Which feed."
example = "/feed.json"
required = true
"""


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ('[[field]]\nname = "x"\nrequest = "check"\nwhere = "query"\nkey = "x"\n'
         'pattern = "[a-z]+"\npurpose = "p."\nexample = "a"\n', "anchored"),
        ('[[field]]\nname = "feed_path"\nrequest = "check"\nwhere = "path"\n'
         'pattern = "^/x$"\npurpose = "p."\nexample = "/x"\n', "twice"),
        ('[[field]]\nname = "x"\nrequest = "check"\nwhere = "query"\nkey = "x"\n'
         'value = "a"\npurpose = ""\nexample = "a"\n', "purpose"),
        ('[[field]]\nname = "x"\nrequest = "check"\nwhere = "query"\nkey = "x"\n'
         'value = "a"\npurpose = "p."\nexample = "b"\n', "example does not match"),
        ('[[field]]\nname = "x"\nrequest = "check"\nwhere = "query"\nkey = "x"\n'
         'value = "a"\npurpose = "p."\nexample = "a"\nsend_always = true\n', "unknown keys"),
        ('[[field]]\nname = "x"\nrequest = "check"\nwhere = "header"\n'
         'value = "a"\npurpose = "p."\nexample = "a"\n', "needs a key"),
        ('[[field]]\nname = "x"\nrequest = "check"\nwhere = "query"\nkey = "x"\n'
         'value = "a"\npattern = "^a$"\npurpose = "p."\nexample = "a"\n', "exactly one"),
    ],
)
def test_invalid_allowlist_file_is_refused(extra: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        parse_allowlist((BASE + extra).encode())


def test_allowlist_must_declare_version_1() -> None:
    with pytest.raises(ConfigError, match="version must be 1"):
        parse_allowlist(BASE.replace("version = 1", "version = 2").encode())
