"""A development CA and server certificate for ``serve --tls``, kept and reused.

The client trusts the CA file (``ca_file`` in its config); the server presents a leaf the
CA signed. Both live in a folder BESIDE the served one (never inside, where the keys would
be served), and are reused at every start: a build that bundled the CA keeps working after
the server restarts. An expiring leaf is renewed under the same CA, so ``ca_file`` stays
valid; only a damaged or expiring CA is replaced (the command says so).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from glass_updater.atomic import atomic_write_bytes

HOST = "127.0.0.1"
CA_DAYS = 3650
LEAF_DAYS = 365
RENEW_BEFORE = dt.timedelta(days=7)


@dataclass(frozen=True)
class DevCert:
    ca_file: Path  # what the client's config trusts
    chain_pem: bytes  # leaf certificate + leaf key, for the server
    created_ca: bool
    created_leaf: bool


def tls_folder_for(served: Path) -> Path:
    """``site`` -> ``site-tls`` beside it."""
    served = Path(served).resolve()
    return served.parent / f"{served.name}-tls"


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )


def _load(
    cert_path: Path, key_path: Path
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    public = cert.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey) or (
        public.public_numbers() != key.public_key().public_numbers()
    ):
        return None
    return cert, key


def _fresh(cert: x509.Certificate, now: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= now and cert.not_valid_after_utc - RENEW_BEFORE > now


def _make_ca(now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Glass Updater dev CA")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _make_leaf(
    ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, now: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _signed_by(leaf: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        leaf.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def ensure_certificate(ca_file: Path, *, now: dt.datetime | None = None) -> DevCert:
    """Reuse the CA at ``ca_file`` and its leaf when still good; create what is missing.

    Files beside ``ca_file``: ``<stem>.key`` (CA key, 0600), ``<stem>-server.pem`` and
    ``<stem>-server.key`` (0600).
    """
    now = now or dt.datetime.now(dt.UTC)
    ca_file = Path(ca_file)
    ca_key_file = ca_file.with_name(ca_file.stem + ".key")
    leaf_file = ca_file.with_name(ca_file.stem + "-server.pem")
    leaf_key_file = ca_file.with_name(ca_file.stem + "-server.key")
    ca_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    loaded = _load(ca_file, ca_key_file)
    created_ca = loaded is None or not _fresh(loaded[0], now)
    if loaded is None or created_ca:
        ca, ca_key = _make_ca(now)
        atomic_write_bytes(ca_key_file, _key_pem(ca_key), 0o600)
        atomic_write_bytes(ca_file, ca.public_bytes(serialization.Encoding.PEM), 0o644)
    else:
        ca, ca_key = loaded
    leaf_pair = None if created_ca else _load(leaf_file, leaf_key_file)
    created_leaf = (
        leaf_pair is None or not _fresh(leaf_pair[0], now) or not _signed_by(leaf_pair[0], ca)
    )
    if leaf_pair is None or created_leaf:
        leaf, leaf_key = _make_leaf(ca, ca_key, now)
        atomic_write_bytes(leaf_key_file, _key_pem(leaf_key), 0o600)
        atomic_write_bytes(leaf_file, leaf.public_bytes(serialization.Encoding.PEM), 0o644)
    else:
        leaf, leaf_key = leaf_pair
    chain = leaf.public_bytes(serialization.Encoding.PEM) + _key_pem(leaf_key)
    return DevCert(ca_file, chain, created_ca, created_leaf)
