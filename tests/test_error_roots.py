"""One errors module: every error class of the core in it, its roots say whose fault a
failure is, and one table gives each kind its exit code."""

from __future__ import annotations

import gc
import importlib
import pkgutil
from pathlib import Path

import glass_updater
import pytest
from glass_updater import errors
from glass_updater.errors import (
    EXIT_CODES,
    Cancelled,
    Cause,
    ExchangeError,
    GateViolation,
    InternalError,
    TransportError,
    UnannouncedConnection,
    UpdaterError,
)
from glass_updater.paths import Paths
from glass_updater.qt.error_words import describe
from glass_updater.updater import Updater
from glass_updater.wire_types import Exchange, OutboundRequest

from tests.doubles import MockTransport, Response
from tests.sim import NOW, FeedSimulator
from tests.updater.test_updater import make_config

# The publishing tool (updater-publish) keeps its own error beside it: it never reaches
# the client, and has its own exit codes.
OUTSIDE_THE_CLIENT = ("glass_updater.publish",)


def _subclasses() -> set[type[UpdaterError]]:
    found: set[type[UpdaterError]] = set()
    todo = [UpdaterError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def _every_error_class() -> set[type[UpdaterError]]:
    for info in pkgutil.walk_packages(glass_updater.__path__, "glass_updater."):
        if not info.name.startswith(("glass_updater._pyinstaller", "glass_updater.qt")) \
                and not info.name.endswith(".__main__"):
            importlib.import_module(info.name)
    return _subclasses()


def test_every_error_class_of_the_core_is_in_the_errors_module() -> None:
    classes = _every_error_class()
    assert len(classes) > 25  # the walk found them all, not just the base
    elsewhere = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for cls in classes
        if cls.__module__ != "glass_updater.errors"
        and not cls.__module__.startswith(OUTSIDE_THE_CLIENT)
    )
    assert elsewhere == []


def test_every_exit_code_comes_from_the_one_table() -> None:
    for cls in _every_error_class():
        assert cls.exit_code == EXIT_CODES[cls.kind], cls
    assert set(EXIT_CODES.values()) == {1, 2, 3, 4, 5}


def test_a_class_cannot_bring_its_own_exit_code_or_an_unlisted_kind() -> None:
    core = {"__module__": "glass_updater.errors"}
    with pytest.raises(TypeError, match="EXIT_CODES"):
        type("Own", (UpdaterError,), {**core, "exit_code": 7})
    with pytest.raises(TypeError, match="no row in EXIT_CODES"):
        type("Unlisted", (UpdaterError,), {**core, "kind": "new-kind"})
    _forget_made_classes()


def test_an_embedders_own_error_class_still_loads() -> None:
    """The table binds the core's classes; a host app's subclass is never refused."""
    own = type("HostBusy", (UpdaterError,), {"kind": "host-busy", "exit_code": 9})
    assert own.exit_code == 9
    unlisted = type("HostInstall", (TransportError,), {"kind": "host-install"})
    assert unlisted.exit_code == 3  # its parent's
    listed = type("HostStorage", (UpdaterError,), {"kind": "storage"})
    assert listed.exit_code == EXIT_CODES["storage"]
    del own, unlisted, listed
    _forget_made_classes()


def _forget_made_classes() -> None:
    """The classes made here leave UpdaterError.__subclasses__(), which other tests walk."""
    gc.collect()
    made = {"Own", "Unlisted", "HostBusy", "HostInstall", "HostStorage"}
    assert not {c.__name__ for c in _subclasses()} & made


def test_roots_say_whose_fault_it_is() -> None:
    """A gate violation is the updater's own fault and a cancel the user's: neither is a
    network error, so neither is caught or worded as one; all three carry the exchange."""
    assert not issubclass(GateViolation, TransportError)
    assert not issubclass(Cancelled, TransportError)
    assert issubclass(GateViolation, InternalError)
    assert issubclass(UnannouncedConnection, GateViolation)
    assert issubclass(UnannouncedConnection, ConnectionRefusedError)
    for cls in (TransportError, Cancelled, GateViolation):
        assert issubclass(cls, ExchangeError)
    # kinds and exit codes as documented before the roots moved (docs/cli.md)
    assert [(c.kind, c.exit_code) for c in (TransportError, GateViolation, Cancelled)] == [
        ("network", 3), ("gate", 3), ("cancelled", 3)
    ]
    assert (InternalError.kind, InternalError.exit_code) == ("error", 1)


def test_a_network_error_still_names_its_cause_from_the_status() -> None:
    assert TransportError("no answer").cause is Cause.NETWORK
    assert GateViolation("differs").cause is Cause.UNKNOWN
    assert Cancelled("stopped").cause is Cause.CANCELLED
    again = GateViolation("differs", host="h").again(_failed_exchange(_request()))
    assert type(again) is GateViolation and again.exchange is not None and again.host == "h"


def _request() -> OutboundRequest:
    sim = FeedSimulator()
    from glass_updater.allowlist import load_allowlist
    from glass_updater.request import build_check_request

    return build_check_request(
        load_allowlist(), feed_url=sim.base_url + sim.feed_path, product="demo-app",
        version="1.0.0", proxy=None, max_body=10_000,
    )


def _failed_exchange(request: OutboundRequest) -> Exchange:
    return Exchange(request=request, sent=(), status=None, error="bytes differ")


def gate_tripping(request: OutboundRequest) -> Response:
    """A transport whose gate refuses the request before its first byte."""
    raise GateViolation(
        "the request's bytes differ from the preview at byte 3; nothing more was sent",
        exchange=_failed_exchange(request),
    )


def test_a_gate_violation_is_recorded_and_worded_as_the_updaters_fault(tmp_path: Path) -> None:
    sim = FeedSimulator()
    updater = Updater(make_config(sim), paths=Paths.under(tmp_path / "state"),
                      transport=MockTransport(gate_tripping), clock=lambda: NOW)
    outcome = updater.check_outcome()
    error = outcome.error
    assert isinstance(error, GateViolation) and error.exit_code == 3
    (record,) = outcome.entries  # the write-ahead record, completed with the verdict
    assert record.outcome.startswith("failed: the request's bytes differ from the preview")
    assert [e.id for e in updater.ledger.entries()] == [record.id]
    words = describe(error, "Demo App")
    assert words.title == "Update failed"
    assert "could not be reached" not in words.sentence
    assert "report" in words.advice
    network = describe(TransportError("down", host="updates.example.com"), "Demo App")
    assert network.sentence == "The update server updates.example.com could not be reached."


def test_errors_module_holds_only_errors_and_their_table() -> None:
    """No behaviour but the errors' own: the module is a leaf of the core."""
    source = Path(errors.__file__).read_text()
    imports = [line for line in source.splitlines() if line.lstrip().startswith(
        ("import glass_updater", "from glass_updater"))]
    assert all("wire_types" in line or "printable" in line for line in imports), imports
