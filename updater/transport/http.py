"""HttpTransport: requests + urllib3, with the strict gate and a record of every byte.

requests is used only as plumbing: a fresh Session per send with ``trust_env=False``
(no .netrc, no proxy or CA variables), no session headers, a cookie policy that
rejects everything, no redirects, and an adapter whose connections write only through
the gate (see ``connection.py`` and ``wire.py``).
"""

from __future__ import annotations

import http.cookiejar
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import urllib3.exceptions
from glass_updater.errors import Cause, ExchangeError, TransportError, UpdaterError
from glass_updater.limits import DEFAULT_LIMITS, Limits
from glass_updater.printable import printable
from glass_updater.transport.base import BodySink
from glass_updater.transport.connection import GatedAdapter, HeadTruncated
from glass_updater.transport.tls import make_ssl_context
from glass_updater.transport.wire import Phase, Watchdog, Wire
from glass_updater.wire_types import CancelToken, Exchange, OutboundRequest
from requests.cookies import RequestsCookieJar
from requests.hooks import default_hooks
from requests.structures import CaseInsensitiveDict


@dataclass
class _Answer:
    """What has arrived so far, so a failure mid-body still reports it."""

    status: int | None = None
    reason: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


class SinkFailed(Exception):
    """Carries an exception raised by the caller's sink past our network-error mapping."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


class RejectAllCookies(http.cookiejar.DefaultCookiePolicy):
    """Never store or return a cookie: a cookie is a persistent identifier."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: Any) -> bool:
        return False

    def path_return_ok(self, path: str, request: Any) -> bool:
        return False


def _prepared(request: OutboundRequest) -> requests.PreparedRequest:
    """Build requests' PreparedRequest by hand so nothing is merged, quoted or added."""
    prepared = requests.PreparedRequest()
    prepared.method = request.method
    prepared.url = request.url
    prepared.headers = CaseInsensitiveDict(request.headers)
    prepared.body = None
    prepared.hooks = default_hooks()
    # An empty jar that refuses everything; requests copies it when it looks at a 3xx.
    prepared.prepare_cookies(RequestsCookieJar(policy=RejectAllCookies()))
    return prepared


def _refuse_encoding(wire: Wire, encoding: str | None) -> None:
    """The request says ``Accept-Encoding: identity``: any other encoding is a server
    fault (exit 3), reported as such before a byte of it is used, never decoded."""
    if encoding is None or encoding.strip().lower() in ("", "identity"):
        return
    shown = printable(encoding, ascii_only=True, limit=30)
    raise TransportError(
        f"{wire.server} sent the answer encoded as {shown!r}, which the updater did not "
        "ask for (it asks for no encoding); nothing was decoded or used, try again later "
        "or tell the publisher",
        cause=Cause.HTTP_SERVER,
    )


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (causes, contexts, urllib3 reasons)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen) or len(seen) > 20:
            continue
        seen.append(item)
        todo += [item.__cause__, item.__context__, getattr(item, "reason", None)]
        todo += [a for a in item.args if isinstance(a, BaseException)]
    return seen


class HttpTransport:
    """The real network: writes exactly the previewed bytes, records what it wrote."""

    def __init__(
        self,
        limits: Limits = DEFAULT_LIMITS,
        ca_file: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = limits
        self._ca_file = ca_file
        self._clock = clock
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None
        self._watchdog = Watchdog(limits.cancel_latency)

    def _ssl_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._ssl is None:
                self._ssl = make_ssl_context(self._ca_file)
            return self._ssl

    def send(
        self,
        request: OutboundRequest,
        sink: BodySink | None = None,
        cancel: CancelToken | None = None,
    ) -> Exchange:
        """Send; a 2xx body goes to ``sink`` if given, any other body to Exchange.body.

        An exception raised by ``sink.write`` aborts the transfer and propagates unchanged.
        """
        started_at = time.time()
        begin = self._clock()
        ssl_context = self._ssl_context() if request.target.scheme == "https" else None
        wire = Wire(
            request,
            limits=self._limits,
            clock=self._clock,
            cancel=cancel,
            ssl_context=ssl_context,
            watchdog=self._watchdog,
        )
        result = _Answer()

        def exchange(error: str | None) -> Exchange:
            return Exchange(
                request=request,
                sent=wire.gate.sent,
                status=result.status,
                reason=result.reason,
                response_headers=result.headers,
                body=result.body,
                bytes_received=wire.received,
                started_at=started_at,
                duration=self._clock() - begin,
                remote=wire.remote,
                error=error,
            )

        wire.start()
        try:
            self._exchange(wire, request, sink, result)
        except SinkFailed as failed:
            raise failed.original from None  # not a network error: the caller's own
        except ExchangeError as exc:
            raise exc.again(exchange(exc.message)) from None
        except UpdaterError:
            raise
        except Exception as exc:
            tripped = wire.tripped
            if tripped is not None:
                raise tripped.again(exchange(tripped.message)) from exc
            message, cause = self._explain(wire, exc)
            raise TransportError(message, exchange=exchange(message), cause=cause) from exc
        finally:
            wire.stop()
        return exchange(None)

    def _exchange(
        self,
        wire: Wire,
        request: OutboundRequest,
        sink: BodySink | None,
        result: _Answer,
    ) -> None:
        limits = self._limits
        with requests.Session() as session:
            session.trust_env = False
            session.headers.clear()
            session.cookies.set_policy(RejectAllCookies())
            adapter = GatedAdapter(wire)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            response = session.send(
                _prepared(request),
                stream=True,
                allow_redirects=False,
                timeout=(limits.connect_timeout, limits.read_timeout),
                verify=True,
                cert=None,
                proxies={},
            )
            try:
                wire.gate.verify_complete()
                result.status = response.status_code
                result.reason = printable(response.reason or "", ascii_only=True, limit=60)
                result.headers = tuple(
                    (str(k), str(v)) for k, v in response.raw.headers.items()
                )
                _refuse_encoding(wire, response.raw.headers.get("Content-Encoding"))
                self._read_body(wire, request, response, sink, result)
            finally:
                response.close()

    def _read_body(
        self,
        wire: Wire,
        request: OutboundRequest,
        response: requests.Response,
        sink: BodySink | None,
        result: _Answer,
    ) -> None:
        status = int(response.status_code)
        ok = 200 <= status < 300
        into_sink = sink is not None and ok
        strict = ok or sink is None  # a body we use: over the cap is an error
        cap = request.max_body if strict else min(request.max_body, self._limits.error_body_cap)
        announced = response.raw.headers.get("Content-Length", "")
        announced = announced.strip()
        if strict and announced.isascii() and announced.isdigit() and int(announced) > cap:
            raise TransportError(
                f"response larger than {cap} bytes ({wire.server} announced "
                f"{int(announced)}); nothing more was read",
                cause=Cause.TOO_LARGE,
            )
        chunk_size = self._limits.download_chunk if into_sink else self._limits.buffer_chunk
        buffer = bytearray()
        if into_sink:
            assert sink is not None
            try:
                sink.begin(status, result.headers)
            except BaseException as exc:  # the sink's own failure
                raise SinkFailed(exc) from exc
        wire.body_started()
        while True:
            wire.check_abort()
            chunk = response.raw.read1(min(chunk_size, cap + 1 - wire.received), False)
            wire.check_abort()
            if not chunk:
                break
            wire.received += len(chunk)
            if wire.received > cap:
                if strict:
                    raise TransportError(
                        f"response larger than {cap} bytes from {wire.server}; stopped reading",
                        cause=Cause.TOO_LARGE,
                    )
                buffer += chunk[: len(chunk) - (wire.received - cap)]
                wire.received = cap
                break
            if into_sink:
                assert sink is not None
                try:
                    sink.write(chunk)
                except BaseException as exc:  # the sink's own failure, e.g. a full disk
                    raise SinkFailed(exc) from exc
            else:
                buffer += chunk
        result.body = bytes(buffer)

    def _explain(self, wire: Wire, exc: BaseException) -> tuple[str, Cause]:
        """One clear line, and its cause, for a failure that urllib3 or http.client raised."""
        chain = _chain(exc)
        limits = self._limits
        if any(isinstance(e, TimeoutError | urllib3.exceptions.TimeoutError) for e in chain):
            if wire.phase is Phase.WAIT:
                return (
                    f"{wire.server} accepted the connection but sent no answer within "
                    f"{limits.read_timeout:g} s; try again later"
                ), Cause.TIMEOUT
            return (
                f"{wire.server} stopped sending for more than {limits.read_timeout:g} s "
                f"(while in the {wire.phase.value} step); try again later"
            ), Cause.TIMEOUT
        if any(isinstance(e, HeadTruncated) for e in chain):
            return (
                f"{wire.server} closed the connection in the middle of the response head "
                "(the answer was cut off before its end); try again later"
            ), Cause.CONNECTION_LOST
        if any(isinstance(e, urllib3.exceptions.IncompleteRead) for e in chain) or (
            wire.phase is Phase.BODY
        ):
            return (
                f"{wire.server} closed the connection after {wire.received} bytes of the "
                "answer, before it was complete; try again later"
            ), Cause.CONNECTION_LOST
        if wire.phase in (Phase.WAIT, Phase.SEND):
            return (
                f"{wire.server} closed the connection or sent an invalid HTTP answer "
                f"({type(exc).__name__}); try again later"
            ), Cause.CONNECTION_LOST
        cause = Cause.PROXY if wire.request.proxy is not None else Cause.NETWORK
        return f"network error talking to {wire.peer} ({type(exc).__name__}: {exc})", cause

