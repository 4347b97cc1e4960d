"""About & Privacy: versions, the allowlist's SHA-256 and the statement generated from it."""

from __future__ import annotations

import platform

import PySide6
from glass_updater.meta import package_version
from glass_updater.qt import words as W
from glass_updater.qt.icons import app_icon
from glass_updater.qt.inert import InertTextBrowser
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)


class AboutDialog(QDialog):
    def __init__(
        self,
        *,
        product_name: str,
        product_version: str,
        allowlist_sha256: str,
        statement_markdown: str,
        check_request_sha256: str = "",
        admin_policy: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr(W.ABOUT_TITLE))
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(56, 56))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        top.addWidget(icon)
        self.versions = QLabel(
            self.tr(
                W.ABOUT_VERSIONS
            )
            % (
                _escape(product_name),
                _escape(product_version),
                package_version(),
                platform.python_version(),
                qVersion(),
                PySide6.__version__,
                allowlist_sha256,
            )
            + (
                self.tr(W.ABOUT_CHECK_REQUEST) % _escape(check_request_sha256)
                if check_request_sha256 else ""
            )
            + (
                self.tr(W.ABOUT_ADMINISTRATOR) % _escape(admin_policy) if admin_policy else ""
            )
        )
        self.versions.setTextFormat(Qt.TextFormat.RichText)
        self.versions.setWordWrap(True)
        self.versions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.versions, 1)
        layout.addLayout(top)
        self.statement = InertTextBrowser(self)
        self.statement.setAccessibleName(self.tr(W.PRIVACY_STATEMENT))
        self.statement.setTabChangesFocus(True)
        self.statement.set_trusted_markdown(statement_markdown)
        layout.addWidget(self.statement, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.resize(760, 620)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
