"""A read-only rich-text view that never loads anything: for untrusted Markdown.

Release notes come from the update server. They are shown as Markdown with raw HTML
disabled (so ``<script>`` is shown as text), links do not open, and any resource the
document asks for (an image, a style sheet) is answered with nothing.
"""

from __future__ import annotations

from typing import Any

from glass_updater.qt.text import SHORTENED_MARK, safe_notes
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

MARKDOWN_FEATURES = (
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub
    | QTextDocument.MarkdownFeature.MarkdownNoHTML
)


class InertTextBrowser(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.document().setDocumentMargin(8)
        self.requested_resources: list[str] = []  # what the document asked for; stays unloaded
        self.shortened = False  # the last untrusted text was cut to the limit

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        self.requested_resources.append(name.toString() if isinstance(name, QUrl) else name)
        return None

    def set_untrusted_markdown(self, markdown: str, limit: int | None = None) -> None:
        text = safe_notes(markdown) if limit is None else safe_notes(markdown, limit)
        self.shortened = text.endswith(SHORTENED_MARK)
        self.document().setMarkdown(text, MARKDOWN_FEATURES)
        self.moveCursor(QTextCursor.MoveOperation.Start)  # show the top, not the end

    def set_trusted_markdown(self, markdown: str) -> None:
        """Our own generated text (privacy statement): still rendered without HTML."""
        self.document().setMarkdown(markdown, MARKDOWN_FEATURES)
        self.moveCursor(QTextCursor.MoveOperation.Start)  # show the top, not the end
