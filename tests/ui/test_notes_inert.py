"""Threat 21: release notes with HTML/script, control characters, 1 MB of text."""

from __future__ import annotations

from datetime import UTC, datetime

from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.model import Asset, CheckResult, CheckStatus, Release
from glass_updater.qt.dialogs import UpdateDialog
from glass_updater.qt.inert import InertTextBrowser
from glass_updater.qt.text import safe_notes, strip_controls
from glass_updater.reasons import Reason, Why
from pytestqt.qtbot import QtBot

HOSTILE = (
    "# Notes\n\n<script>alert('x')</script>\n\n<img src=http://evil.example/pixel.png>\n\n"
    "![tracker](http://evil.example/t.gif) ![ref][r]\n\n[r]: https://evil.example/r.png\n\n"
    "<style>body{background:url(http://evil.example/bg)}</style>\n\n"
    "[a link](http://evil.example/click) and \x1b[31mred\x07\x00 \u202eevil\u202c\n"
)


def _result(notes: str) -> CheckResult:
    asset = Asset("linux-x86_64", "appimage", "https://u.example/a", 1234, "0" * 64)
    release = Release(
        "1.4.0", "stable", datetime(2026, 11, 20, tzinfo=UTC), False, (), notes, (asset,)
    )
    why = Reason(Why.AVAILABLE, "1.4.0")
    return CheckResult(CheckStatus.UPDATE_AVAILABLE, "1.0.0", why, release, asset)


def test_release_notes_are_inert(qtbot: QtBot) -> None:
    replies: list[object] = []
    dialog = UpdateDialog(_result(HOSTILE), "Demo App", replies.append, lambda _id: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.notes.grab()  # paint: any image the document wanted would be requested now
    text = dialog.notes.toPlainText()
    assert "<script>alert('x')</script>" in text  # shown as text, not run or hidden
    assert "<img src=http://evil.example/pixel.png>" in text
    assert "[image: tracker]" in text
    assert all(not url.startswith(("http", "//")) for url in dialog.notes.requested_resources)
    assert dialog.notes.requested_resources == []
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
    assert "\u202e" not in text
    assert "\\x1b[31mred\\x07\\x00 \\u202eevil" in text  # shown, not obeyed or hidden
    html = dialog.notes.toHtml()
    assert "<img" not in html and "<script" not in html
    assert not dialog.notes.openLinks() and not dialog.notes.openExternalLinks()
    assert replies == []


def test_huge_notes_are_truncated(qtbot: QtBot) -> None:
    view = InertTextBrowser()
    qtbot.addWidget(view)
    view.set_untrusted_markdown("word " * 200_000 + "END")
    text = view.toPlainText()
    assert len(text) <= DEFAULT_LIMITS.shown_notes_chars + 20
    assert text.endswith("(shortened)") and "END" not in text
    assert text.split(" …")[0].endswith(" word")  # cut at a word boundary, never mid-word
    assert view.shortened


def test_long_notes_say_they_were_shortened(qtbot: QtBot) -> None:
    dialog = UpdateDialog(_result("lorem ipsum " * 3000), "Demo App", lambda _c: None,
                          lambda _e: None)  # 36,000 characters
    qtbot.addWidget(dialog)
    assert dialog.shortened.isVisibleTo(dialog)
    assert "shortened" in dialog.shortened.text()
    short = UpdateDialog(_result("tiny"), "Demo App", lambda _c: None, lambda _e: None)
    qtbot.addWidget(short)
    assert not short.shortened.isVisibleTo(short)


def test_load_resource_answers_nothing(qtbot: QtBot) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QTextDocument

    view = InertTextBrowser()
    qtbot.addWidget(view)
    got = view.loadResource(
        QTextDocument.ResourceType.ImageResource.value, QUrl("http://evil.example/x.png")
    )
    assert got is None
    assert view.requested_resources == ["http://evil.example/x.png"]


def test_safe_notes_strips_controls_keeps_text() -> None:
    assert strip_controls("a\r\nb\x00c\u202ed\te\rf") == "a\nb\\x00c\\u202ed\te\nf"
    assert safe_notes("x ![alt](http://e/i.png) y") == "x [image: alt] y"


def test_resource_hook_sees_images_that_bypass_sanitising(qtbot: QtBot) -> None:
    """Guards the test above: an image that reached the document would be recorded."""
    from glass_updater.qt.inert import MARKDOWN_FEATURES

    view = InertTextBrowser()
    qtbot.addWidget(view)
    view.document().setMarkdown("![x](http://evil.example/y.png)", MARKDOWN_FEATURES)
    view.resize(300, 200)
    view.show()
    qtbot.waitExposed(view)
    view.grab()
    assert "http://evil.example/y.png" in view.requested_resources
