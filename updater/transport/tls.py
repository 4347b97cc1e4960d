"""Our own TLS settings, so no environment variable can change whom we trust.

``ssl.create_default_context()`` and urllib3's context honour ``SSLKEYLOGFILE`` and
``SSL_CERT_FILE``; requests honours ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``. We build a
bare ``SSLContext`` instead: certifi's bundle plus the packager's optional ``ca_file``,
hostname checking on, TLS 1.2 or newer, no key log.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import certifi
from glass_updater.errors import ConfigError


def make_ssl_context(ca_file: Path | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED + check_hostname
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    context.set_alpn_protocols(["http/1.1"])
    context.load_verify_locations(cafile=certifi.where())
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"cannot load the extra CA file {str(ca_file)!r} ({exc}); fix [feed] ca_file"
            ) from None
    return context
