"""Settings…: channel, proxy, ask-before-check, clear history. Stored locally, never sent.

Proxy credentials are typed into a password field and stored in the local settings file
only; wherever the proxy is shown, it is shown without them.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, unquote, urlsplit

from glass_updater.config import CHANNELS
from glass_updater.credentials import without_credentials
from glass_updater.qt import words as W
from glass_updater.settings import UserSettings
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

Job = Callable[[], None]


def proxy_setting(mode: str, host: str, port: int, user: str, password: str) -> str | None:
    """The UserSettings.proxy string for the dialog's choice (None: packager default)."""
    if mode in ("system", "none"):
        return mode
    if mode not in ("manual", "socks") or not host.strip():
        return None
    cred = ""
    if user:
        cred = quote(user, safe="") + (":" + quote(password, safe="") if password else "") + "@"
    scheme = "socks5h" if mode == "socks" else "http"
    return f"{scheme}://{cred}{host.strip()}:{port}"


def split_proxy(setting: str | None) -> tuple[str, str, int, str, str]:
    """(mode, host, port, user, password) from a stored setting."""
    if setting in (None, ""):
        return "default", "", 8080, "", ""
    if setting in ("system", "none"):
        return setting, "", 8080, "", ""
    try:
        parts = urlsplit(setting)
        port = parts.port or 8080
    except ValueError:
        return "default", "", 8080, "", ""
    return (
        "socks" if parts.scheme.lower() == "socks5h" else "manual",
        parts.hostname or "",
        port,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )


class SettingsDialog(QDialog):
    saved = Signal(object)  # UserSettings, after it was written
    history_cleared = Signal()
    unskipped = Signal()  # emitted from the worker after the skip was forgotten

    def __init__(
        self,
        *,
        current: UserSettings,
        default_channel: str,
        default_proxy: str,
        save: Callable[[UserSettings], None],
        clear_history: Callable[[], None],
        runner: Callable[[Job], None],
        parent: QWidget | None = None,
        skipped_version: str | None = None,
        unskip: Callable[[], None] | None = None,
        managed_proxy: str | None = None,
        managed_ask: bool = False,
    ) -> None:
        """``managed_proxy``/``managed_ask``: set by the administrator's policy, which wins
        over these settings; the controls are shown disabled with the reason."""
        super().__init__(parent)
        self.setWindowTitle(self.tr(W.SETTINGS_TITLE))
        self._unskip = unskip
        self._save = save
        self._clear_history = clear_history
        self._runner = runner
        outer = QVBoxLayout(self)
        # The settings scroll when the screen is too small for them (2x on 1280x800): a
        # squeezed form would draw its fields over each other; the buttons stay in view.
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        self.scroll_area.setWidget(content)
        outer.addWidget(self.scroll_area, 1)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)

        note = QLabel(self.tr(W.THESE_SETTINGS_STORED))
        note.setWordWrap(True)
        layout.addWidget(note)

        form = QFormLayout()
        self.channel = QComboBox()
        self.channel.setAccessibleName(self.tr(W.UPDATE_CHANNEL))
        self.channel.addItem(self.tr(W.PUBLISHER_DEFAULT) % default_channel, None)
        for ch in CHANNELS:
            self.channel.addItem(ch.capitalize(), ch)
        self.channel.setCurrentIndex(max(0, self.channel.findData(current.channel)))
        form.addRow(self.tr(W.CHANNEL), self.channel)
        layout.addLayout(form)

        box = QGroupBox(self.tr(W.PROXY))
        box_layout = QVBoxLayout(box)
        self.proxy_mode = QButtonGroup(self)
        shown_default = without_credentials(default_proxy)
        self.radios: dict[str, QRadioButton] = {}
        for mode, label in (
            ("default", self.tr(W.PUBLISHER_DEFAULT) % shown_default),
            ("system", self.tr(W.USE_SYSTEM_PROXY)),
            ("none", self.tr(W.NO_PROXY)),
            ("manual", self.tr(W.MANUAL_HTTP_PROXY)),
            ("socks", self.tr(W.SOCKS_PROXY_THAT)),
        ):
            radio = QRadioButton(label)
            radio.setAccessibleName(label)
            self.proxy_mode.addButton(radio)
            self.radios[mode] = radio
            box_layout.addWidget(radio)
        manual = QFormLayout()
        mode, host, port, user, password = split_proxy(current.proxy)
        self.host = QLineEdit(host)
        self.host.setPlaceholderText("proxy.example.com")
        self.host.setAccessibleName(self.tr(W.PROXY_HOST))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(port)
        self.port.setAccessibleName(self.tr(W.PROXY_PORT))
        self.user = QLineEdit(user)
        self.user.setAccessibleName(self.tr(W.PROXY_USER_NAME))
        self.password = QLineEdit(password)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr(W.PROXY_PASSWORD_OPTIONAL))
        manual.addRow(self.tr(W.HOST), self.host)
        manual.addRow(self.tr(W.PORT), self.port)
        manual.addRow(self.tr(W.USER), self.user)
        manual.addRow(self.tr(W.PASS_WORD), self.password)
        box_layout.addLayout(manual)
        creds = QLabel(
            self.tr(W.CREDENTIALS_SENT_ONLY)
        )
        creds.setWordWrap(True)
        box_layout.addWidget(creds)
        layout.addWidget(box)
        self.managed_note: QLabel | None = None
        if managed_proxy is not None:
            box.setEnabled(False)
            self.managed_note = QLabel(
                self.tr(W.PROXY_SET_BY)
                % without_credentials(managed_proxy)
            )
            self.managed_note.setWordWrap(True)
            layout.addWidget(self.managed_note)
        self.radios[mode].setChecked(True)
        for radio in self.radios.values():
            radio.toggled.connect(self._update_enabled)
        self._update_enabled()

        self.ask = QCheckBox(self.tr(W.ASK_BEFORE_EVERY))
        self.ask.setChecked(current.ask_before_check)
        self.ask.setAccessibleName(self.tr(W.ASK_BEFORE_EVERY_CHECK))
        layout.addWidget(self.ask)
        if managed_ask:
            self.ask.setChecked(True)
            self.ask.setEnabled(False)
            self.ask.setToolTip(self.tr(W.REQUIRED_BY_YOUR))

        skip_row = QHBoxLayout()
        self.skipped_label = QLabel(
            self.tr(W.SKIPPED_VERSION_CHECK) % skipped_version
            if skipped_version
            else self.tr(W.NO_VERSION_SKIPPED)
        )
        self.skipped_label.setTextFormat(Qt.TextFormat.PlainText)
        self.skipped_label.setWordWrap(True)
        skip_row.addWidget(self.skipped_label, 1)
        self.stop_skipping = QPushButton(self.tr(W.STOP_SKIPPING))
        self.stop_skipping.setAccessibleName(self.tr(W.STOP_SKIPPING_SKIPPED))
        self.stop_skipping.setAutoDefault(False)
        self.stop_skipping.setVisible(bool(skipped_version) and unskip is not None)
        self.stop_skipping.clicked.connect(self.unskip_now)
        skip_row.addWidget(self.stop_skipping)
        layout.addLayout(skip_row)
        self.unskipped.connect(self._show_unskipped)

        self.clear = QPushButton(self.tr(W.CLEAR_HISTORY))
        self.clear.setAccessibleName(self.tr(W.CLEAR_LOCAL_HISTORY))
        self.clear.setAutoDefault(False)
        self.clear.clicked.connect(self._confirm_clear)
        layout.addWidget(self.clear, 0, Qt.AlignmentFlag.AlignLeft)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setVisible(False)
        layout.addWidget(self.error)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.setMinimumWidth(440)
        hint = content.sizeHint()  # open at the full size; windows.fit_to_screen may shrink it
        margins = outer.contentsMargins()
        self.resize(
            max(440, hint.width() + margins.left() + margins.right() + 4),
            hint.height() + buttons.sizeHint().height() + outer.spacing()
            + margins.top() + margins.bottom() + 4,
        )

    def mode(self) -> str:
        return next(m for m, r in self.radios.items() if r.isChecked())

    def _update_enabled(self) -> None:
        manual = self.mode() in ("manual", "socks")
        for w in (self.host, self.port, self.user, self.password):
            w.setEnabled(manual)

    def settings(self) -> UserSettings:
        return UserSettings(
            channel=self.channel.currentData(),
            proxy=proxy_setting(
                self.mode(),
                self.host.text(),
                self.port.value(),
                self.user.text(),
                self.password.text(),
            ),
            ask_before_check=self.ask.isChecked(),
        )

    def apply(self) -> None:
        if self.mode() in ("manual", "socks") and not self.host.text().strip():
            self.error.setText(self.tr(W.ENTER_PROXY_HOST))
            self.error.setVisible(True)
            self.host.setFocus()
            return
        chosen = self.settings()

        def save() -> None:
            self._save(chosen)
            self.saved.emit(chosen)

        self._runner(save)
        self.accept()

    def unskip_now(self) -> None:
        """Forget the skipped version (locally), off the GUI thread."""
        unskip = self._unskip
        if unskip is None:
            return
        self.stop_skipping.setEnabled(False)

        def job() -> None:
            unskip()
            self.unskipped.emit()

        self._runner(job)

    def _show_unskipped(self) -> None:
        self.skipped_label.setText(self.tr(W.NO_VERSION_SKIPPED))
        self.stop_skipping.setVisible(False)

    def _confirm_clear(self) -> None:
        answer = QMessageBox.question(
            self,
            self.tr(W.CLEAR_HISTORY_TITLE),
            self.tr(W.DELETE_LOCAL_RECORD),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.clear_history_now()

    def clear_history_now(self) -> None:
        def clear() -> None:
            self._clear_history()
            self.history_cleared.emit()

        self._runner(clear)
