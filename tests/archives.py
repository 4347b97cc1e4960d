"""A tar.gz of in-memory files, as a publisher would ship an app folder."""

from __future__ import annotations

import io
import tarfile


def tar_gz(files: dict[str, bytes], mode: int = 0o644) -> bytes:
    """Every member a regular file with ``mode``, in name order."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = mode
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
