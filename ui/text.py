"""Pure text helpers for showing bytes and untrusted text: no Qt, easy to test."""

from __future__ import annotations

import re

from glass_updater.limits import DEFAULT_LIMITS

SHORTENED_MARK = " …\n\n(shortened)"
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_MD_IMAGE_REF = re.compile(r"!\[([^\]\n]*)\]\[[^\]\n]*\]")


def strip_controls(text: str) -> str:
    """Untrusted text for a dialog: line breaks kept (CR LF and CR become LF), every other
    control, bidi override or separator shown as an escape by the core's one helper."""
    from glass_updater.printable import printable

    return printable(text.replace("\r\n", "\n").replace("\r", "\n"), keep_newlines=True)


def safe_notes(markdown: str, limit: int = DEFAULT_LIMITS.shown_notes_chars) -> str:
    """Release notes made safe to render: no controls, no images, bounded length.

    Images are turned into their alt text so the renderer is never asked for any URL.
    """
    text = strip_controls(markdown[: limit * 2])
    text = _MD_IMAGE.sub(lambda m: f"[image: {m.group(1)}]", text)
    text = _MD_IMAGE_REF.sub(lambda m: f"[image: {m.group(1)}]", text)
    if len(text) > limit:
        cut = text[:limit]
        space = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
        if space > limit // 2:  # at a word boundary, unless one "word" fills the text
            cut = cut[:space]
        text = cut.rstrip() + SHORTENED_MARK
    return text


def visible_text(data: bytes) -> str:
    """Bytes as text with every CR and LF shown (``\\r\\n``) and other bytes escaped."""
    out: list[str] = []
    for b in data:
        if b == 0x0D:
            out.append("\\r")
        elif b == 0x0A:
            out.append("\\n\n")
        elif 0x20 <= b <= 0x7E:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "".join(out)


def hexdump(data: bytes, width: int = 16) -> str:
    lines = []
    for offset in range(0, len(data), width):
        chunk = data[offset : offset + width]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 0x20 <= b <= 0x7E else "." for b in chunk)
        lines.append(f"{offset:08x}  {hexes:<{width * 3 - 1}}  |{text}|")
    return "\n".join(lines)


def human_bytes(n: float) -> str:
    """Decimal units (1 MB = 1,000,000 bytes), as desktop file managers show sizes."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{int(n)} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


def human_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def human_ms(seconds: float) -> str:
    """A request's duration: "42 ms", "1.3 s", "2 min 05 s"."""
    if seconds < 1:
        return f"{max(0, round(seconds * 1000))} ms"
    if seconds < 10:
        return f"{seconds:.1f} s"
    return human_duration(seconds)
