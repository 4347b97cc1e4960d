"""The dialogs that show the flow at work: checking, downloading, installing.

Checking and downloading can be cancelled (Cancel, Esc or the close box cancel the run's
token); installing hands over to the installer and only says so.
"""

from __future__ import annotations

from glass_updater.model import Progress, VerifiedFile
from glass_updater.qt import words as W
from glass_updater.qt.flow_dialog import FlowDialog, body_label
from glass_updater.qt.text import human_bytes, human_duration
from glass_updater.wire_types import CancelToken
from PySide6.QtWidgets import QDialogButtonBox, QProgressBar, QWidget


class CheckingDialog(FlowDialog):
    def __init__(self, cancel: CancelToken, parent: QWidget | None = None) -> None:
        super().__init__(self.tr(W.CHECKING_TITLE), parent)
        self._cancel = cancel
        self.label = body_label(self.tr(W.CHECKING))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName(self.tr(W.CHECKING_BAR))
        self.layout_.addWidget(self.label)
        self.layout_.addWidget(self.bar)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.cancel)
        self.finish_layout()
        self.setMinimumWidth(360)

    def cancel(self) -> None:
        self._cancel.cancel()
        self.label.setText(self.tr(W.CANCELLING))
        self.cancel_button.setEnabled(False)

    def reject(self) -> None:  # Esc or the close box cancel the check
        self.cancel()


class DownloadDialog(FlowDialog):
    def __init__(self, cancel: CancelToken, parent: QWidget | None = None) -> None:
        super().__init__(self.tr(W.DOWNLOADING_UPDATE), parent)
        self._cancel = cancel
        self.label = body_label(self.tr(W.STARTING_DOWNLOAD))
        self.bar = QProgressBar()
        self.bar.setAccessibleName(self.tr(W.DOWNLOAD_PROGRESS))
        self.layout_.addWidget(self.label)
        self.layout_.addWidget(self.bar)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.cancel)
        self.finish_layout()
        self.setMinimumWidth(400)

    def set_progress(self, progress: Progress, cancel: CancelToken) -> None:
        self._cancel = cancel
        if progress.total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(progress.done, progress.total) / progress.total))
        parts = [
            self.tr(W.BYTES_OF_TOTAL) % (human_bytes(progress.done), human_bytes(progress.total)),
            self.tr(W.PER_SECOND) % human_bytes(progress.rate),
        ]
        if progress.eta is not None:
            parts.append(self.tr(W.ABOUT_LEFT) % human_duration(progress.eta))
        self.label.setText(" — ".join(parts))

    def cancel(self) -> None:
        self._cancel.cancel()
        self.label.setText(self.tr(W.CANCELLING))
        self.cancel_button.setEnabled(False)

    def reject(self) -> None:
        self.cancel()


class InstallingDialog(FlowDialog):
    def __init__(self, verified: VerifiedFile, parent: QWidget | None = None) -> None:
        super().__init__(self.tr(W.INSTALLING_UPDATE), parent)
        self.layout_.addWidget(
            body_label(self.tr(W.HANDING_OVER_INSTALLER) % verified.path.name)
        )
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setAccessibleName(self.tr(W.INSTALLING))
        self.layout_.addWidget(bar)
        self.finish_layout()
        self.setMinimumWidth(360)
