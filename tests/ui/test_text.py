"""Byte and text helpers behind the payload panel's text and hex views."""

from __future__ import annotations

from glass_updater.credentials import mask_credentials, without_credentials
from glass_updater.qt.text import (
    hexdump,
    human_bytes,
    human_duration,
    visible_text,
)


def test_visible_text_shows_every_byte() -> None:
    assert visible_text(b"GET / HTTP/1.1\r\nA: b\r\n\r\n") == (
        "GET / HTTP/1.1\\r\\n\nA: b\\r\\n\n\\r\\n\n"
    )
    assert visible_text(b"\x00\xff\t") == "\\x00\\xff\\x09"


def test_hexdump_lines() -> None:
    dump = hexdump(b"GET /feed HTTP/1.1\r\n")
    lines = dump.splitlines()
    assert lines[0] == (
        "00000000  47 45 54 20 2f 66 65 65 64 20 48 54 54 50 2f 31  |GET /feed HTTP/1|"
    )
    assert lines[1].startswith("00000010  2e 31 0d 0a") and lines[1].endswith("|.1..|")
    assert hexdump(b"") == ""


def test_human_units() -> None:
    assert human_bytes(512) == "512 bytes"
    assert human_bytes(1536) == "1.5 kB"
    assert human_bytes(999) == "999 bytes"
    assert human_bytes(48_213_504) == "48.2 MB"  # what `ls -l --si` and file managers show
    assert human_bytes(3 * 1000**3) == "3.0 GB"
    assert human_duration(59.6) == "1 min 00 s"
    assert human_duration(3725) == "1 h 02 min"
    assert without_credentials("http://u:p@proxy:3128") == "http://proxy:3128"
    assert without_credentials("system") == "system"


def test_mask_credentials_keeps_length_and_other_bytes() -> None:
    data = b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\nProxy-Authorization: Basic YTpi\r\n\r\n"
    masked = mask_credentials(data)
    assert len(masked) == len(data)
    assert masked == data.replace(b"Basic YTpi", b"**********")
    assert mask_credentials(b"GET / HTTP/1.1\r\n\r\n") == b"GET / HTTP/1.1\r\n\r\n"
