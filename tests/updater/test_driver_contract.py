"""The UserDriver contract (glass_updater.driver): the order of calls on every path, and
every call made through the front end's runner, never from the flow's own threads."""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from glass_updater.driver import Job, UpdateChoice, run_inline
from glass_updater.errors import Cancelled
from glass_updater.flow import UpdateFlow
from glass_updater.model import InstallEffect, Progress
from glass_updater.paths import Paths
from glass_updater.settings import UserSettings
from glass_updater.updater import Updater
from glass_updater.wire_types import CancelToken, OutboundRequest

from tests.doubles import MockTransport, Response
from tests.fakes import FakeHost, RecordingDriver, RecordingLauncher
from tests.sim import NOW, FeedSimulator
from tests.updater.test_offline import make_bundle, updater_for
from tests.updater.test_updater import make_config, make_updater

# The grammar of one run (the driver module's docstring), over RecordingDriver's calls.
OUTCOME = (
    r"(up_to_date|error:[a-z-]+"
    r"|update_found( progress)?( ready_to_install( installing)?)?( error:[a-z-]+)?)"
)
COMMAND = ("/bin/true", "{file}")  # a packager command: this copy can install the update
RUN = re.compile(
    rf"(send_confirmation )?(checking {OUTCOME} |checking )?dismiss"
)


def assert_contract(calls: list[str]) -> None:
    """One run: the grammar holds, dismiss comes once and last."""
    text = " ".join(calls)
    assert RUN.fullmatch(text), text
    assert calls.count("dismiss") == 1


class MarkingRunner:
    """An inline front runner that knows whether a call comes through it."""

    def __init__(self) -> None:
        self.inside = False
        self.jobs = 0

    def __call__(self, job: Job) -> None:
        self.jobs += 1
        self.inside, was = True, self.inside
        try:
            job()
        finally:
            self.inside = was


def run(
    updater: Updater, driver: RecordingDriver, *, start: Callable[[UpdateFlow], None] | None = None
) -> UpdateFlow:
    front = MarkingRunner()
    driver.where = lambda: front.inside
    flow = UpdateFlow(
        updater, driver, run_in_background=run_inline, host=FakeHost(), run_in_front=front
    )
    (start or UpdateFlow.start)(flow)
    assert flow.finished.is_set() and not flow.running
    assert driver.places and all(inside for _call, inside in driver.places), driver.places
    assert front.jobs == len(driver.places)  # and the runner runs nothing else
    assert_contract(driver.calls)
    return flow


class FrontThread:
    """A stand-in GUI thread: runs posted jobs one by one, in order, on one thread."""

    def __init__(self) -> None:
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="front")
        self.thread.start()

    def __call__(self, job: Job) -> None:
        self.jobs.put(job)

    def _loop(self) -> None:
        while (job := self.jobs.get(timeout=30)) is not None:  # bounded: a stuck test ends
            job()

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join(30)


def on_threads(sim: FeedSimulator, threads: list[str]) -> MockTransport:
    """The simulator, noting which thread sent each request."""

    def handler(request: OutboundRequest) -> Response:
        threads.append(threading.current_thread().name)
        return sim.handler(request)

    return MockTransport(handler)


@pytest.fixture
def sim() -> FeedSimulator:
    s = FeedSimulator()
    s.add_release("1.4.0", notes="new")
    return s


def test_up_to_date(sim: FeedSimulator, tmp_path: Path) -> None:
    driver = RecordingDriver()
    run(make_updater(sim, tmp_path, version="1.4.0"), driver)
    assert driver.calls == ["checking", "up_to_date", "dismiss"]


@pytest.mark.parametrize("choice", [UpdateChoice.NOT_NOW, UpdateChoice.SKIP])
def test_update_found_and_not_taken(
    sim: FeedSimulator, tmp_path: Path, choice: UpdateChoice
) -> None:
    updater = make_updater(sim, tmp_path)
    driver = RecordingDriver(choice=choice)
    run(updater, driver)
    assert driver.calls == ["checking", "update_found", "dismiss"]
    skipped = "1.4.0" if choice is UpdateChoice.SKIP else None
    assert updater.skipped_version() == skipped
    assert [e.kind for e in updater.ledger.entries()] == ["check"]


def test_download_then_install_declined(sim: FeedSimulator, tmp_path: Path) -> None:
    driver = RecordingDriver(install=False)
    flow = run(make_updater(sim, tmp_path, install_command=COMMAND), driver)
    assert driver.calls == ["checking", "update_found", "progress", "ready_to_install",
                            "dismiss"]
    assert flow.facts.effect is InstallEffect.OPEN_INSTALLER  # looked up before "ready"


def test_download_then_install(sim: FeedSimulator, tmp_path: Path) -> None:
    launcher = RecordingLauncher()
    updater = make_updater(sim, tmp_path, launcher=launcher, install_command=COMMAND)
    driver = RecordingDriver()
    run(updater, driver)
    assert driver.calls == ["checking", "update_found", "progress", "ready_to_install",
                            "installing", "dismiss"]
    assert len(launcher.launched) == 1


def test_error_then_dismiss(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make_updater(sim, tmp_path)
    sim.rotate()
    driver = RecordingDriver()
    run(updater, driver)
    assert driver.calls == ["checking", "error:untrusted-key", "dismiss"]


@pytest.mark.parametrize("send", [False, True])
def test_confirmation_comes_first(sim: FeedSimulator, tmp_path: Path, send: bool) -> None:
    updater = make_updater(sim, tmp_path)
    updater.settings.save(UserSettings(ask_before_check=True))
    driver = RecordingDriver(send=send, choice=UpdateChoice.NOT_NOW)
    run(updater, driver)
    expected = ["checking", "update_found", "dismiss"] if send else ["dismiss"]
    assert driver.calls == ["send_confirmation", *expected]
    assert len(sim.requests) == (1 if send else 0)


def test_cancelled_download_ends_with_dismiss_and_no_error(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    def press_cancel(_progress: Progress, cancel: CancelToken) -> None:
        cancel.cancel()  # at the first progress, before the first byte of the file

    driver = RecordingDriver(on_progress=press_cancel)
    flow = run(make_updater(sim, tmp_path, install_command=COMMAND), driver)
    assert driver.calls == ["checking", "update_found", "progress", "dismiss"]
    assert isinstance(flow.error, Cancelled) and not driver.errors


def test_import_shows_no_confirmation_and_no_progress(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    bundle = make_bundle(sim, tmp_path)
    updater = updater_for(sim, tmp_path, install_command=COMMAND)
    driver = RecordingDriver(install=False)
    updater.settings.save(UserSettings(ask_before_check=True))  # no socket: nothing to ask
    run(updater, driver, start=lambda flow: flow.start_import(bundle))
    assert driver.calls == ["checking", "update_found", "ready_to_install", "dismiss"]


def test_busy_gets_one_error_and_no_dismiss(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make_updater(sim, tmp_path)
    jobs: list[Job] = []
    front: list[Job] = []
    driver = RecordingDriver(choice=UpdateChoice.NOT_NOW)
    flow = UpdateFlow(updater, driver, run_in_background=jobs.append, host=FakeHost(),
                      run_in_front=front.append)
    flow.start()
    flow.start()  # while the first run waits for its check
    assert driver.calls == []  # nothing reaches the driver but through the front runner
    for job in front:
        job()
    assert driver.calls == ["checking", "error:busy"]
    jobs.pop()()
    done = 2
    while done < len(front):  # "update found", whose reply posts "dismiss"
        front[done]()
        done += 1
    assert driver.calls == ["checking", "error:busy", "update_found", "dismiss"]


class TwiceDriver(RecordingDriver):
    """Replies to "update found" twice: Not Now, then (too late) Install."""

    def show_update_found(self, result, reply) -> None:  # type: ignore[no-untyped-def]
        super().show_update_found(result, reply)
        reply(UpdateChoice.INSTALL)


def test_a_second_reply_is_ignored(sim: FeedSimulator, tmp_path: Path) -> None:
    driver = TwiceDriver(choice=UpdateChoice.NOT_NOW)
    updater = make_updater(sim, tmp_path)
    run(updater, driver)
    assert driver.calls == ["checking", "update_found", "dismiss"]
    assert [e.kind for e in updater.ledger.entries()] == ["check"]  # nothing downloaded


def test_every_call_reaches_the_driver_on_the_front_thread(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    """As with Qt: shows on one thread, the network and disk on others, replies from the
    front thread go back to the flow, which moves the work off it."""
    threads: list[str] = []
    transport = on_threads(sim, threads)
    updater = Updater(make_config(sim, install_command=COMMAND),
                      paths=Paths.under(tmp_path / "state"), transport=transport,
                      clock=lambda: NOW)
    driver = RecordingDriver(install=False, where=lambda: threading.current_thread().name)
    front = FrontThread()
    workers: list[threading.Thread] = []

    def background(job: Job) -> None:
        worker = threading.Thread(target=job, name=f"worker-{len(workers)}")
        workers.append(worker)
        worker.start()

    flow = UpdateFlow(updater, driver, run_in_background=background, host=FakeHost(),
                      run_in_front=front)
    background(flow.start)  # as the controller does: start reads settings, off the GUI
    try:
        assert driver.dismissed.wait(30)
    finally:
        front.stop()
        for worker in workers:
            worker.join(30)
    assert driver.calls == ["checking", "update_found", "progress", "ready_to_install",
                            "dismiss"]
    assert {thread for _call, thread in driver.places} == {"front"}
    assert threads and "front" not in threads
    assert len(workers) >= 2  # the check, then (after the front's reply) the download


def test_a_fact_that_cannot_be_looked_up_only_makes_the_dialog_say_less(
    sim: FeedSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    updater = make_updater(sim, tmp_path, install_command=COMMAND)
    run(updater, RecordingDriver(choice=UpdateChoice.NOT_NOW))
    proxy_for = updater.proxy_for

    def unreadable(url: str, settings: UserSettings | None = None) -> object:
        if "feed" in url:
            return proxy_for(url, settings)  # the check itself reads it fine
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(updater, "proxy_for", unreadable)
    driver = RecordingDriver(install=False)
    flow = run(updater, driver)
    assert driver.calls == ["checking", "update_found", "progress", "ready_to_install",
                            "dismiss"]
    assert flow.facts.proxy is None and not driver.errors


class CheckingFails(RecordingDriver):
    """A front end whose "checking" dialog cannot be shown."""

    def show_checking(self, cancel: CancelToken) -> None:
        super().show_checking(cancel)
        raise RuntimeError("no display")


def test_nothing_follows_dismiss_when_the_front_end_fails_to_show_checking(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    bundle = make_bundle(sim, tmp_path)
    driver = CheckingFails()
    flow = run(updater_for(sim, tmp_path), driver,
               start=lambda flow: flow.start_import(bundle))
    assert driver.calls == ["checking", "error:error", "dismiss"]
    assert flow.result is None  # the bundle was never opened
