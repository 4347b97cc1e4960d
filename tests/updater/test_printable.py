"""The one helper that makes text from the network or disk safe to show (threat 46)."""

from __future__ import annotations

import pytest
from glass_updater.errors import TransportError, UpdaterError
from glass_updater.printable import printable

UNSAFE = [
    "\x00", "\x07", "\x08", "\t", "\n", "\r", "\x1b", "\x7f",  # C0 and DEL
    "\x85", "\x9b", "\x9f",  # C1 (0x9b is a one-byte CSI)
    "\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069",  # bidi marks, embeddings, overrides, isolates
    "\u2028", "\u2029", "\ud800",  # line/paragraph separators, a lone surrogate
]


@pytest.mark.parametrize("char", UNSAFE, ids=[f"U+{ord(c):04X}" for c in UNSAFE])
def test_every_unsafe_character_is_made_visible(char: str) -> None:
    shown = printable(f"a{char}b")
    assert char not in shown
    assert shown == f"a\\x{ord(char):02x}b" if ord(char) <= 0xFF else f"a\\u{ord(char):04x}b"


def test_ordinary_text_is_kept_as_is() -> None:
    text = "Grüße, 日本語, emoji 👍🏽, zero-width joiner 👩\u200d💻, ü"
    assert printable(text) == text


def test_multi_line_text_keeps_newlines_and_tabs_only() -> None:
    assert printable("a\nb\tc\r\x1b", keep_newlines=True) == "a\nb\tc\\x0d\\x1b"


def test_limit_cuts_with_a_mark() -> None:
    assert printable("x" * 10, limit=5) == "xxxx…"


def test_error_messages_are_printable_wherever_they_are_shown() -> None:
    """Messages quote servers and files; a front end shows ``message`` as is."""
    error = TransportError("server said \x1b]0;pwned\x07 \u202eexe.txt")
    assert error.message == "server said \\x1b]0;pwned\\x07 \\u202eexe.txt"
    assert str(error) == error.message
    assert UpdaterError("two\nlines").message == "two\\x0alines"


def _server_text_before(text: str, limit: int = 60) -> str:
    """errors.server_text as it was before it merged into printable (the reference)."""
    kept = "".join(c for c in text if " " <= c <= "~").strip()
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def test_ascii_only_is_the_old_server_text_exactly() -> None:
    """One sanitizer: what a server chose (reason phrase, Retry-After) reads as before."""
    import random

    rng = random.Random(11)
    alphabet = "aZ9 ~\t\r\n\x00\x1b\x7f\x85é€\u202e\u2028\ud800…  "
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 90)))
        limit = rng.choice((1, 2, 30, 40, 60, 80))
        assert printable(text, ascii_only=True, limit=limit) == _server_text_before(text, limit)
    assert printable(" Busy\x1b[31m\r\u202e ", ascii_only=True, limit=60) == "Busy[31m"
