"""The strict gate: every write is compared with the previewed bytes before it happens.

The preview (``OutboundRequest.transmissions``) is computed once by the builder. The
gate holds it per channel, refuses any write that is not exactly the next expected
bytes of its channel, and records only what the socket really accepted, so the panel's
"sent" bytes are a record, never a reconstruction.
"""

from __future__ import annotations

import threading

from glass_updater.errors import GateViolation
from glass_updater.wire_types import Channel, OutboundRequest, Transmission


def _show(data: bytes, limit: int = 60) -> str:
    shown = repr(data)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


class Gate:
    """Per-send comparison and record of written bytes, one instance per request."""

    def __init__(self, request: OutboundRequest) -> None:
        self._expected = {ch: request.expected(ch) for ch in Channel}
        self._offset = dict.fromkeys(Channel, 0)
        self._sent: list[Transmission] = []
        self._lock = threading.Lock()

    def check(self, channel: Channel, data: bytes) -> None:
        """Raise GateViolation unless ``data`` are exactly the next expected bytes."""
        with self._lock:
            expected = self._expected[channel]
            offset = self._offset[channel]
            wanted = expected[offset : offset + len(data)]
            if data == wanted:
                return
            at = next(
                (i for i, (a, b) in enumerate(zip(data, wanted, strict=False)) if a != b),
                min(len(data), len(wanted)),
            )
        raise GateViolation(
            f"refused to send {len(data)} bytes ({channel.label}) that differ from the "
            f"preview at byte {offset + at} (would send {_show(data[at : at + 40])}, "
            f"preview has {_show(wanted[at : at + 40])}); nothing of this write left "
            "the machine — some other code changed the request, please report it"
        )

    def record(self, channel: Channel, data: bytes) -> None:
        """Note bytes the socket accepted; consecutive writes on a channel are merged."""
        if not data:
            return
        with self._lock:
            self._offset[channel] += len(data)
            if self._sent and self._sent[-1].channel is channel:
                last = self._sent.pop()
                self._sent.append(Transmission(channel, last.data + data))
            else:
                self._sent.append(Transmission(channel, data))

    def remaining(self, channel: Channel) -> int:
        with self._lock:
            return len(self._expected[channel]) - self._offset[channel]

    @property
    def sent(self) -> tuple[Transmission, ...]:
        with self._lock:
            return tuple(self._sent)

    def verify_complete(self) -> None:
        """After the fact, the record must be exactly the preview: no short or extra write."""
        with self._lock:
            written = {
                ch: b"".join(t.data for t in self._sent if t.channel is ch) for ch in Channel
            }
        for ch, expected in self._expected.items():
            got = written[ch]
            if got == expected:
                continue
            if expected.startswith(got):
                raise GateViolation(
                    f"only {len(got)} of the {len(expected)} previewed bytes were sent "
                    f"({ch.label}); the request was not sent as shown — please report it"
                )
            raise GateViolation(
                f"{len(got)} bytes were sent ({ch.label}) that are not the {len(expected)} "
                "previewed bytes; the request was not sent as shown — please report it"
            )
