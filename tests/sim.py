"""A feed simulator: an in-memory repository that signs on demand (as python-tuf's
RepositorySimulator), and a Transport that serves it.

Tests change the payload (serial, releases, assets, raw fields), choose which keys sign,
tamper with the signed bytes, and then let the real client fetch through ``send``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from updater.errors import TransportError
from updater.request import OutboundRequest
from updater.signing import KeyPair, generate_keypair, sign_envelope
from updater.transport.base import BodySink, CancelToken, Exchange

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PRODUCT = "demo-app"
FEED_PATH = "/demo-app/feed.json"
BASE_URL = "https://updates.example.com"
PLATFORM = "linux-x86_64"


def asset_bytes(version: str, platform: str = PLATFORM) -> bytes:
    return f"installer {version} for {platform}\n".encode() * 8


@dataclass
class FeedSimulator:
    """Holds signing keys and payload fields; ``feed_bytes`` signs the current state."""

    product: str = PRODUCT
    serial: int = 1
    expires: datetime = NOW + timedelta(days=30)
    releases: list[dict[str, Any]] = field(default_factory=list)
    assets: dict[str, bytes] = field(default_factory=dict)  # URL path -> bytes
    signer: KeyPair = field(default_factory=generate_keypair)
    extra_signers: list[Ed25519PrivateKey] = field(default_factory=list)
    feed_path: str = FEED_PATH
    base_url: str = BASE_URL
    requests: list[OutboundRequest] = field(default_factory=list)
    # Hooks for hostile behaviour: rewrite the payload bytes, or the envelope bytes.
    payload_hook: Callable[[bytes], bytes] | None = None
    envelope_hook: Callable[[bytes], bytes] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- publisher side --------------------------------------------------------------

    @property
    def public_key(self) -> str:
        return self.signer.public

    def add_release(
        self,
        version: str,
        *,
        channel: str = "stable",
        platforms: tuple[str, ...] = (PLATFORM,),
        critical: bool = False,
        min_os: dict[str, str] | None = None,
        notes: str = "",
        kind: str = "appimage",
    ) -> dict[str, Any]:
        assets = []
        for platform in platforms:
            body = asset_bytes(version, platform)
            path = f"/{self.product}/{self.product}-{version}-{platform}.{kind}"
            self.assets[path] = body
            assets.append(
                {
                    "platform": platform,
                    "kind": kind,
                    "url": self.base_url + path,
                    "size": len(body),
                    "sha256": hashlib.sha256(body).hexdigest(),
                }
            )
        release = {
            "version": version,
            "channel": channel,
            "published": "2026-11-20T10:00:00Z",
            "critical": critical,
            "min_os": min_os or {},
            "notes": notes,
            "assets": assets,
        }
        self.releases.append(release)
        return release

    def bump(self) -> int:
        self.serial += 1
        return self.serial

    def payload_doc(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "serial": self.serial,
            "expires": self.expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "releases": json.loads(json.dumps(self.releases)),
        }

    def payload_bytes(self) -> bytes:
        data = json.dumps(self.payload_doc(), indent=1).encode()
        return self.payload_hook(data) if self.payload_hook else data

    def feed_bytes(self) -> bytes:
        keys = [self.signer.private, *self.extra_signers]
        data = sign_envelope(self.payload_bytes(), keys)
        return self.envelope_hook(data) if self.envelope_hook else data

    def rotate(self) -> KeyPair:
        """Sign from now on with a new key; returns the old one."""
        old = self.signer
        self.signer = generate_keypair()
        return old

    # --- hostile edits ---------------------------------------------------------------

    @staticmethod
    def tamper_payload(envelope: bytes, edit: Callable[[bytes], bytes]) -> bytes:
        """Edit the payload inside a signed envelope, keeping the old signatures."""
        doc = json.loads(envelope)
        payload = base64.b64decode(doc["payload"])
        doc["payload"] = base64.b64encode(edit(payload)).decode()
        return json.dumps(doc).encode()

    # --- Transport -------------------------------------------------------------------

    def send(
        self,
        request: OutboundRequest,
        sink: BodySink | None = None,
        cancel: CancelToken | None = None,
    ) -> Exchange:
        with self._lock:
            self.requests.append(request)
        path = request.target.path
        if path == self.feed_path:
            status, body, kind = 200, self.feed_bytes(), "application/json"
        elif path in self.assets:
            status, body, kind = 200, self.assets[path], "application/octet-stream"
        else:
            status, body, kind = 404, b"not found\n", "text/plain"
        if len(body) > request.max_body:
            raise TransportError(
                f"response larger than {request.max_body} bytes",
                exchange=Exchange(request, request.transmissions, None, error="too large"),
            )
        headers = (("Content-Type", kind), ("Content-Length", str(len(body))))
        if sink is not None and status == 200:
            sink.write(body)
            returned = b""
        else:
            returned = body
        return Exchange(
            request=request,
            sent=request.transmissions,
            status=status,
            reason="OK" if status == 200 else "Not Found",
            response_headers=headers,
            body=returned,
            bytes_received=len(body),
            remote=f"{request.target.host}:{request.target.port}",
        )
