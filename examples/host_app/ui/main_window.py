"""The main window: a text editor with File and Help menus."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QPlainTextEdit

from resources import about_text  # this app's own resources package


class MainWindow(QMainWindow):
    def __init__(self, product_name: str, version: str) -> None:
        super().__init__()
        self.product_name = product_name
        self.version = version
        self.setWindowTitle(f"{product_name} {version}")
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Type here. Help ▸ Check for Updates… looks for a new "
                                       "version; nothing is sent before you click it.")
        self.setCentralWidget(self.editor)
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.help_menu = self.menuBar().addMenu("&Help")
        self.about_action = QAction(f"&About {product_name}", self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)
        self.statusBar().showMessage(f"Version {version}")

    def show_about(self) -> None:
        QMessageBox.about(self, f"About {self.product_name}",
                          about_text().format(name=self.product_name, version=self.version))

    def can_quit(self) -> bool:
        """Asked before an update installs: unsaved text must not be lost."""
        if not self.editor.document().isModified():
            return True
        answer = QMessageBox.question(
            self, "Install update",
            "You have unsaved text. Discard it and restart to install the update?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def quit_for_update(self) -> None:
        self.editor.document().setModified(False)
        self.close()
        QApplication.quit()
