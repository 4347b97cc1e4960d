"""Local state: atomic, and fail-safe when damaged (THREATS.md #36, #37)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from glass_updater.feed import TrustFloor
from glass_updater.model import Feed
from glass_updater.state import LocalState, StateStore

DIGEST = "ab" * 32


def test_missing_file_gives_empty_state(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.json")
    assert store.load() == LocalState()
    assert store.floor(store.load()) is None


def test_save_load_round_trip_and_private_mode(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "sub" / "state.json")
    state = LocalState(7, DIGEST, "1.4.0", datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    store.save(state)
    assert store.load() == state
    assert store.floor(state) == TrustFloor(7, DIGEST)
    assert os.stat(store.path).st_mode & 0o777 == 0o600
    assert [p.name for p in store.path.parent.iterdir()] == ["state.json"]  # no temp left


def test_accepted_feed_raises_the_floor() -> None:
    feed = Feed("demo-app", 9, datetime(2027, 1, 1, tzinfo=UTC), (), DIGEST)
    state = LocalState(skipped_version="1.2.0").accepted(feed)
    assert state == LocalState(9, DIGEST, "1.2.0", None)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b'{"format": 1, "last_serial": 7, "last_dig',  # truncated
        b"\x00\xff garbage \x89PNG",
        b"[]",
        b"null",
        b'{"format": 99, "last_serial": 7}',
        b'{"format": 1, "last_serial": -3}',
        b'{"format": 1, "last_serial": true}',
        b'{"format": 1, "last_serial": "7"}',
        b'{"format": 1, "last_serial": 7, "last_digest": "short"}',
        b'{"format": 1, "last_digest": "' + DIGEST.encode() + b'"}',
        b'{"format": 1, "skipped_version": 5}',
        b"[" * 100_000,
        b'{"format": 1, "last_serial": ' + b"9" * 5000 + b"}",
        b" " * 70_000,
    ],
    ids=lambda c: repr(c[:20]),
)
def test_corrupt_state_falls_back_to_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    store = StateStore(path)
    assert store.load() == LocalState()
    assert store.floor(store.load()) is None


def test_unreadable_state_path_falls_back(tmp_path: Path) -> None:
    (tmp_path / "state.json").mkdir()
    assert StateStore(tmp_path / "state.json").load() == LocalState()


def test_damaged_optional_fields_dropped_but_floor_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(
        '{"format": 1, "last_serial": 4, "last_digest": null, '
        '"skipped_version": "not a version", "remind_after": "someday"}'
    )
    assert StateStore(path).load() == LocalState(4, None, None, None)


def test_failed_save_keeps_old_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = StateStore(tmp_path / "state.json")
    store.save(LocalState(3, DIGEST))

    def boom(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        store.save(LocalState(4, DIGEST))
    monkeypatch.undo()
    assert store.load() == LocalState(3, DIGEST)
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
