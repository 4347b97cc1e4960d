"""Issue 9, item 4: a history a QA engineer can read at a glance (panel side)."""

from __future__ import annotations

from pathlib import Path

from glass_updater.allowlist import load_allowlist
from glass_updater.errors import Cancelled
from glass_updater.qt.dialogs import UpdateDialog
from glass_updater.qt.history_export import default_export_path, with_suffix
from glass_updater.qt.history_rows import RowState, when_text
from glass_updater.qt.payload_panel import PayloadPanel
from glass_updater.qt.text import human_ms
from glass_updater.recording import failure_outcome, hop_outcome
from glass_updater.request import build_download_request
from glass_updater.wire_types import Exchange
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from tests.doubles import MockTransport
from tests.ui.test_check_flow import TIMEOUT, click_check, wait_flow_done
from tests.ui.test_payload_panel import open_panel


def test_outcome_words_are_exact() -> None:
    assert failure_outcome(Cancelled("cancelled; the connection was closed")) == (
        "cancelled by you"
    )
    resume = build_download_request(
        load_allowlist(), url="https://dl.example.com/a.AppImage", proxy=None,
        max_body=100, resume_from=40, if_range='"v1"',
    )
    ignored = Exchange(resume, resume.transmissions, 200, "OK")
    assert hop_outcome(ignored) == "server ignored resume (200); downloaded again from the start"
    moved = Exchange(resume, resume.transmissions, 302, "Found",
                     (("Location", "https://mirror.example.com/a"),))
    assert hop_outcome(moved) == "redirected (302) to mirror.example.com"


def test_human_durations_and_times() -> None:
    assert human_ms(0.0424) == "42 ms"
    assert human_ms(1.26) == "1.3 s"
    assert human_ms(125) == "2 min 05 s"
    assert when_text(1_000_000.0, now=1_000_100.0).count(":") == 2  # today: the time alone
    assert len(when_text(1_000_000.0, now=9_000_000.0)) == len("2001-01-01 00:00:00")


def panel_after_a_cancelled_check(qtbot: QtBot, make_app, sim) -> PayloadPanel:
    """A check held before any answer, cancelled (Esc), then the payload panel opened."""
    sim.add_release("1.0.0")
    slow = MockTransport(sim.handler, held=True)
    app = make_app(transport=slow)
    checking = click_check(qtbot, app, "checking")
    qtbot.waitUntil(slow.entered.is_set, timeout=TIMEOUT)
    checking.reject()  # Esc: cancel
    wait_flow_done(qtbot, app)
    return open_panel(qtbot, app)


def test_cancelled_check_reads_cancelled_by_you_with_its_colour(
    qtbot: QtBot, make_app, sim
) -> None:
    panel = panel_after_a_cancelled_check(qtbot, make_app, sim)
    outcome = panel.history_tab.history.item(0, 6)
    assert outcome.text().startswith("cancelled by you")  # not "refused: …cancelled"
    assert outcome.data(Qt.ItemDataRole.UserRole) == RowState.CANCELLED.value
    assert not outcome.icon().isNull()
    assert "cancelled" in outcome.data(Qt.ItemDataRole.AccessibleTextRole)


def test_an_exchange_without_an_answer_names_no_peer_and_no_headers(
    qtbot: QtBot, make_app, sim
) -> None:
    """Found under Xvfb: a refused proxy read "0 bytes received in 7 ms from ?"."""
    panel = panel_after_a_cancelled_check(qtbot, make_app, sim)
    panel.history_tab.history.selectRow(0)
    entry = panel.history_tab.selected_entry()
    assert entry is not None and entry.status is None and not entry.remote
    summary = panel.history_tab.entry_summary.text()
    assert "no answer (nothing received)" in summary, summary
    assert "from ?" not in summary and "Response headers" not in summary, summary
    assert "cancelled by you" in summary


def test_rows_have_status_icon_colour_and_human_units(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    click_check(qtbot, app, "up-to-date")
    panel = open_panel(qtbot, app)
    ok = panel.history_tab.history.item(0, 6)
    assert ok.data(Qt.ItemDataRole.UserRole) == RowState.OK.value
    assert ok.foreground().color().name() == "#2e7d32"
    assert not ok.icon().isNull()
    # not raw milliseconds
    assert panel.history_tab.history.item(0, 5).text().endswith((" ms", " s"))
    assert panel.history_tab.history.item(0, 4).text().endswith(("bytes", "kB"))
    # Columns fit: the outcome column keeps room for its words at the default size.
    widths = [panel.history_tab.history.columnWidth(c) for c in range(7)]
    assert widths[6] == max(widths) and widths[6] >= 180, widths
    assert panel.history_tab.history.textElideMode() is Qt.TextElideMode.ElideRight


def test_panel_follows_a_running_flow(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.4.0")
    panel = open_panel(qtbot, app)
    assert panel.history_tab.entries == ()
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog) and dialog.isVisible()
    # The check is in the open panel while the flow still waits for the user.
    qtbot.waitUntil(lambda: len(panel.history_tab.entries) == 1, timeout=TIMEOUT)
    flow = app.controller._flow
    assert flow is not None and not flow.finished.is_set() and dialog.isVisible()
    qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)


def test_panel_previews_the_download_before_any_byte(qtbot: QtBot, make_app) -> None:
    app = make_app(install_command=("/bin/true", "{file}"))  # installable here
    app.sim.add_release("1.4.0")
    dialog = click_check(qtbot, app, "update-found")
    panel = open_panel(qtbot, app)
    index = panel.preview_tab.which.findData("download")
    assert index > 0 and "1.4.0" in panel.preview_tab.which.itemText(index)
    panel.preview_tab.which.setCurrentIndex(index)
    request = panel.preview_tab.shown_preview()
    assert request is not None and request.kind.value == "download"
    shown = panel.preview_tab.preview_bytes.shown_bytes()
    assert shown == tuple(t.data for t in request.transmissions)
    assert shown[-1].startswith(b"GET /demo-app/demo-app-1.4.0-linux-x86_64.appimage HTTP/1.1")
    assert "download of 1.4.0" in panel.preview_tab.preview_intro.text()
    assert len(app.sim.requests) == 1  # previewing sent nothing
    # What the preview showed is what the download then sends.
    assert isinstance(dialog, UpdateDialog)
    with qtbot.waitSignal(
        app.driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == "ready"
    ):
        qtbot.mouseClick(dialog.install, Qt.MouseButton.LeftButton)
    assert app.sim.requests[1].transmissions == request.transmissions
    app.driver.dialogs[-1].reject()
    wait_flow_done(qtbot, app)


def test_compare_pairs_requests_of_the_same_kind_labelled_by_time(
    qtbot: QtBot, make_app
) -> None:
    app = make_app(install_command=("/bin/true", "{file}"))  # installable here
    app.sim.add_release("1.4.0")
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog)
    with qtbot.waitSignal(
        app.driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == "ready"
    ):
        qtbot.mouseClick(dialog.install, Qt.MouseButton.LeftButton)
    app.driver.dialogs[-1].reject()
    wait_flow_done(qtbot, app)
    again = click_check(qtbot, app, "update-found")
    again.reject()
    wait_flow_done(qtbot, app)
    panel = open_panel(qtbot, app)
    kinds = [e.kind for e in panel.history_tab.entries]  # newest first
    assert kinds == ["check", "download", "check"]
    panel.history_tab.history.selectRow(1)  # the download: no earlier download to compare with
    assert not panel.history_tab.compare.isEnabled()
    panel.history_tab.history.selectRow(0)
    tab = panel.history_tab
    assert tab.previous_of(tab.entries[0]) is tab.entries[2]
    text = panel.history_tab.compare_text()
    assert text.count("check at ") == 2 and "download" not in text
    assert panel.history_tab.entries[0].id not in text  # labelled by time, not internal ids
    compare = panel.history_tab.show_compare()
    assert compare is not None and "check at" in compare.windowTitle()
    compare.close()


def test_export_goes_home_with_its_extension_and_a_status_line(
    qtbot: QtBot, make_app, tmp_path: Path
) -> None:
    assert default_export_path("har", Path("/home/q")) == Path(
        "/home/q/glass-updater-history.har"
    )
    assert default_export_path("http") .parent == Path.home()
    assert with_suffix(Path("/x/report"), "http") == Path("/x/report.http")
    assert with_suffix(Path("/x/report.HAR"), "har") == Path("/x/report.HAR")
    app = make_app()
    app.sim.add_release("1.0.0")
    click_check(qtbot, app, "up-to-date")
    panel = open_panel(qtbot, app)
    summary = panel.history_tab.entry_summary.text()
    with qtbot.waitSignal(panel.exported, timeout=TIMEOUT):
        panel.export_to("json", tmp_path / "h.json")
    assert panel.status.text() == f"Exported 1 exchange to {tmp_path / 'h.json'}"
    assert panel.history_tab.entry_summary.text() == summary  # the details pane is left alone


def test_copy_says_what_it_copied(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    click_check(qtbot, app, "up-to-date")
    panel = open_panel(qtbot, app)
    panel.tabs.setCurrentIndex(1)
    qtbot.mouseClick(panel.history_tab.copy_entry, Qt.MouseButton.LeftButton)
    sent = app.sim.requests[0].transmissions[0].data
    assert panel.status.text().startswith("Copied the check at ")
    assert f"({len(sent)} bytes)" in panel.status.text()
    assert QGuiApplication.clipboard().text() == sent.decode("latin-1")
    panel.tabs.setCurrentIndex(0)
    qtbot.mouseClick(panel.preview_tab.copy_preview, Qt.MouseButton.LeftButton)
    assert panel.status.text().startswith("Copied the request (")
