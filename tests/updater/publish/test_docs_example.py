"""The example in docs/feed-format.md is a valid payload and signs with the real tools."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from glass_updater.feed import parse_payload, verify_feed
from glass_updater.signing import generate_keypair, sign_envelope

DOC = Path(__file__).resolve().parents[3] / "docs" / "feed-format.md"


def test_documented_example_payload_is_valid() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## 6. A complete example", 1)[1]
    block = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert block, "the docs lost their complete example"
    payload = block.group(1).encode()
    feed = parse_payload(payload)
    assert [r.version for r in feed.releases] == ["1.4.0", "1.5.0b1"]
    pair = generate_keypair()
    verified = verify_feed(
        sign_envelope(payload, [pair.private]), trusted_keys=[pair.public],
        product=json.loads(payload)["product"], now=datetime(2026, 12, 1, tzinfo=UTC),
        floor=None,
    )
    assert verified.serial == 12
