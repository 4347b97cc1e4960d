"""Threat 45 through the CLI: a response head cut off, or an encoding the client did not
ask for, is a network error (exit 3) naming what happened, never "forged feed" (exit 4).
Only signature, schema, rollback and expiry are trust errors."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from glass_updater.cli import main
from glass_updater.publish.demo import write_config
from glass_updater.publish.keys import write_keypair

from tests.loopback import LoopbackServer, Reply

pytestmark = [pytest.mark.e2e, pytest.mark.loopback]

CASES = {
    "head-cut-in-a-header": (
        Reply(headers=(("Content-Type", "application/json"),), body=b"{}",
              head_truncate_at=len(b"HTTP/1.1 200 OK\r\nContent-Ty")),
        "in the middle of the response head",
    ),
    "head-cut-after-status": (
        Reply(body=b"{}", head_truncate_at=len(b"HTTP/1.1 200 OK\r\n")),
        "in the middle of the response head",
    ),
    "gzip-not-asked-for": (
        Reply(headers=(("Content-Encoding", "gzip"),), body=gzip.compress(b'{"a": 1}')),
        "encoded as 'gzip'",
    ),
    "body-cut": (
        Reply(body=b'{"payloadType": "application/vnd.glass-feed+json"}', truncate_at=10),
        "closed the connection after",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cut_or_encoded_answers_are_network_errors(tmp_path: Path, case: str) -> None:
    reply, expected = CASES[case]
    key = write_keypair(tmp_path / "keys")
    with LoopbackServer(reply) as server:
        config = tmp_path / "config.toml"
        write_config(config, server.url("/demo-app/feed.json"), key, None)
        out, err = io.StringIO(), io.StringIO()
        code = main(["check", "--config", str(config), "--state-dir", str(tmp_path / "s")],
                    out, err)
    assert code == 3, err.getvalue()
    assert err.getvalue().count("\n") == 1 and expected in err.getvalue()
    assert not (tmp_path / "s" / "state.json").exists()  # nothing trusted, nothing changed


def test_a_complete_answer_that_is_not_a_feed_is_still_a_trust_error(tmp_path: Path) -> None:
    key = write_keypair(tmp_path / "keys")
    with LoopbackServer(Reply(body=b'{"not": "a feed"}')) as server:
        config = tmp_path / "config.toml"
        write_config(config, server.url("/demo-app/feed.json"), key, None)
        err = io.StringIO()
        code = main(["check", "--config", str(config), "--state-dir", str(tmp_path / "s")],
                    io.StringIO(), err)
    assert code == 4, err.getvalue()
