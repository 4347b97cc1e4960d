"""The one helper that makes untrusted text safe to show in a terminal or a dialog.

Text from the network (reason phrases, release notes, error details) or from disk (the
ledger, state) may carry escape sequences, carriage returns or bidi overrides that would
rewrite what the user sees. Every such character is made *visible* as an escape
(``\\x1b``, ``\\u202e``) instead of being obeyed; everything else is kept as is.

Text a server chose to be one short line (a reason phrase, Retry-After) is stricter:
``ascii_only`` drops everything but printable ASCII, so it cannot even look odd.
"""

from __future__ import annotations

import re

# C0 controls and DEL, C1 controls, bidi embeddings/overrides/isolates and marks,
# line/paragraph separators, and lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff]"
)
_UNSAFE_KEEP_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(
    text: str, *, keep_newlines: bool = False, limit: int | None = None, ascii_only: bool = False
) -> str:
    """``text`` with every control, bidi and separator character shown as an escape.

    ``keep_newlines`` keeps ``\\n`` and ``\\t`` (multi-line text such as release notes;
    ``\\r`` is still shown). ``limit`` cuts the result to that many characters.
    ``ascii_only`` keeps only printable ASCII (nothing escaped: the rest is dropped) and
    trims the ends, for a line a server chose.
    """
    if ascii_only:
        shown = "".join(c for c in text if " " <= c <= "~").strip()
    else:
        pattern = _UNSAFE_KEEP_LINES if keep_newlines else _UNSAFE
        shown = pattern.sub(_escape, text)
    if limit is not None and len(shown) > limit:
        shown = shown[: max(limit - 1, 0)] + "…"
    return shown
