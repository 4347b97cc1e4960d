"""Key files for publishers: a 0600 PEM private key and a one-line public key."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from glass_updater.atomic import atomic_write_bytes
from glass_updater.errors import ConfigError
from glass_updater.signing import KEY_PREFIX, generate_keypair, load_private_pem

PRIVATE_NAME = "private.key"
PUBLIC_NAME = "public.key"
MAX_KEY_FILE = 64 * 1024


def write_keypair(out_dir: Path, *, overwrite: bool = False) -> str:
    """Create DIR/private.key (0600, PEM PKCS#8) and DIR/public.key; return ``ed25519:…``."""
    out_dir = Path(out_dir)
    private_path = out_dir / PRIVATE_NAME
    if private_path.exists() and not overwrite:
        raise ConfigError(
            f"{private_path} already exists; refusing to overwrite a signing key "
            "(move it away first)"
        )
    pair = generate_keypair()
    atomic_write_bytes(private_path, pair.private_pem(), 0o600)
    atomic_write_bytes(out_dir / PUBLIC_NAME, (pair.public + "\n").encode("ascii"), 0o644)
    return pair.public


def load_private_key(path: Path) -> Ed25519PrivateKey:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_KEY_FILE)
    except OSError as exc:
        raise ConfigError(f"cannot read private key {path}: {exc.strerror}") from None
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise ConfigError(
            f"private key {path} is readable by other users; run `chmod 600 {path}`"
        )
    return load_private_pem(data)


def read_public_key(text_or_path: str) -> str:
    """Accept the ``ed25519:…`` text itself or a file containing it."""
    if text_or_path.startswith(KEY_PREFIX):
        return text_or_path.strip()
    path = Path(text_or_path)
    try:
        with path.open("rb") as fh:
            text = fh.read(MAX_KEY_FILE).decode("utf-8", "replace").strip()
    except OSError as exc:
        raise ConfigError(
            f"{text_or_path!r} is neither an ed25519:… key nor a readable file ({exc.strerror})"
        ) from None
    return text
