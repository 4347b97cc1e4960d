"""The resume rules of ``glass_updater.resume``, one table row per case (pure, no I/O)."""

from __future__ import annotations

import pytest
from glass_updater.resume import PartialInfo, Verdict, judge_head, plan_resume

URL, SIZE, SHA = "https://h.example/a.bin", 1000, "a" * 64
GOOD = PartialInfo(URL, SIZE, SHA, '"v1"', 10)


def strong(value: str) -> bool:
    return value.startswith('"')


PLAN_TABLE = [
    # (record, on disk, may_echo, expected offset, expected validator)
    (None, 500, strong, 0, None),
    (PartialInfo("https://h.example/b.bin", SIZE, SHA, '"v1"', 10), 500, strong, 0, None),
    (PartialInfo(URL, SIZE + 1, SHA, '"v1"', 10), 500, strong, 0, None),
    (PartialInfo(URL, SIZE, "b" * 64, '"v1"', 10), 500, strong, 0, None),
    (PartialInfo(URL, SIZE, SHA, 'W/"weak"', 10), 500, strong, 0, None),
    (GOOD, 500, None, 0, None),  # the allowlist has no Range/If-Range
    (GOOD, None, strong, 0, None),  # record but no partial
    (GOOD, 0, strong, 0, None),
    (GOOD, 500, strong, 500, '"v1"'),  # the length on disk wins over "done"
    (GOOD, 5, strong, 5, '"v1"'),  # shorter than the record said: still the disk
    (GOOD, SIZE, strong, SIZE - 1, '"v1"'),  # complete: re-ask the last byte
    (GOOD, SIZE * 3, strong, SIZE - 1, '"v1"'),  # longer: the hash will judge
]


@pytest.mark.parametrize(("record", "on_disk", "may_echo", "offset", "validator"), PLAN_TABLE)
def test_plan_resume_table(
    record: PartialInfo | None, on_disk: int | None, may_echo: object, offset: int,
    validator: str | None,
) -> None:
    plan = plan_resume(
        record, on_disk, url=URL, size=SIZE, sha256=SHA,
        may_echo=may_echo,  # type: ignore[arg-type]
    )
    assert (plan.offset, plan.validator) == (offset, validator), plan.why


JUDGE_TABLE = [
    # (offset, status, headers, validator, verdict)
    (0, 200, {}, None, Verdict.USE),
    (0, 206, {"Content-Range": "bytes 0-999/1000"}, None, Verdict.FAIL),
    (0, 404, {}, None, Verdict.FAIL),
    (0, None, {}, None, Verdict.FAIL),
    (400, 206, {"Content-Range": "bytes 400-999/1000"}, '"v1"', Verdict.USE),
    (400, 206, {"Content-Range": "bytes  400-999/1000 "}, '"v1"', Verdict.USE),
    (400, 206, {"Content-Range": "bytes 400-999/1000", "ETag": '"v1"'}, '"v1"', Verdict.USE),
    (400, 206, {"Content-Range": "bytes 400-999/1000", "ETag": '"v2"'}, '"v1"', Verdict.RESTART),
    (400, 206, {"Content-Range": "bytes 400-999/1000",
                "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"},
     "Sun, 01 Nov 2026 10:00:00 GMT", Verdict.RESTART),
    (400, 206, {"Content-Range": "bytes 0-999/1000"}, '"v1"', Verdict.RESTART),
    (400, 206, {"Content-Range": "bytes 400-999/2000"}, '"v1"', Verdict.RESTART),
    (400, 206, {"Content-Range": "bytes 400-998/1000"}, '"v1"', Verdict.RESTART),
    (400, 206, {}, '"v1"', Verdict.RESTART),
    (400, 200, {}, '"v1"', Verdict.RESTART),
    (400, 416, {}, '"v1"', Verdict.RESTART),
    (400, 503, {}, '"v1"', Verdict.FAIL),
    (400, 404, {}, '"v1"', Verdict.FAIL),
]


@pytest.mark.parametrize(("offset", "status", "head", "validator", "verdict"), JUDGE_TABLE)
def test_judge_head_table(
    offset: int, status: int | None, head: dict[str, str], validator: str | None,
    verdict: Verdict,
) -> None:
    lower = {k.lower(): v for k, v in head.items()}
    judgement = judge_head(
        status, lambda name: lower.get(name.lower()),
        offset=offset, size=SIZE, validator=validator,
    )
    assert judgement.verdict is verdict, judgement.why


def test_record_round_trips_and_damage_is_none() -> None:
    assert PartialInfo.from_bytes(GOOD.to_bytes()) == GOOD
    for damaged in (b"", b"[]", b'{"url": 1}', GOOD.to_bytes()[:-3],
                    GOOD.to_bytes().replace(b'"bytes": 10', b'"bytes": 1.5')):
        assert PartialInfo.from_bytes(damaged) is None
