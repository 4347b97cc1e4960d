"""Load and validate ``resources/allowlist.toml``: the only fields the program may send.

The allowlist is data, not code, so an auditor can review one short file. Packagers may
narrow it (remove fields) but never widen it.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from glass_updater.errors import ConfigError
from glass_updater.wire_types import RequestKind, Where


@dataclass(frozen=True)
class AllowedField:
    name: str
    request: RequestKind
    where: Where
    purpose: str
    example: str
    key: str | None = None  # query parameter or header name
    pattern: str | None = None
    value: str | None = None  # fixed value; pattern and value are exclusive
    required: bool = False  # a required field cannot be removed by a packager

    def accepts(self, candidate: str) -> bool:
        if self.value is not None:
            return candidate == self.value
        assert self.pattern is not None
        # re.ASCII: \d, \w and \s of a pattern never match non-ASCII digits or letters.
        return re.fullmatch(self.pattern, candidate, re.ASCII) is not None

    def describe_rule(self) -> str:
        if self.value is not None:
            return f"be exactly {self.value!r}"
        return f"match the pattern {self.pattern}"


@dataclass(frozen=True)
class Allowlist:
    fields: tuple[AllowedField, ...]
    sha256: str  # of the file as shipped, before any narrowing
    removed: tuple[str, ...] = ()

    def for_request(self, kind: RequestKind) -> tuple[AllowedField, ...]:
        return tuple(f for f in self.fields if f.request is kind)

    def get(self, name: str) -> AllowedField | None:
        return next((f for f in self.fields if f.name == name), None)

    def narrow(self, remove: Iterable[str]) -> Allowlist:
        """Drop fields a packager does not want sent; unknown or required names are errors."""
        remove = tuple(remove)
        for name in remove:
            field = self.get(name)
            if field is None:
                known = ", ".join(f.name for f in self.fields if not f.required)
                raise ConfigError(
                    f"[privacy] remove_fields names unknown field {name!r}; "
                    f"removable fields are: {known}"
                )
            if field.required:
                raise ConfigError(
                    f"[privacy] remove_fields cannot remove {name!r}: HTTP needs it to work"
                )
        kept = tuple(f for f in self.fields if f.name not in remove)
        return replace(self, fields=kept, removed=self.removed + remove)


_KEYS = {"name", "request", "where", "key", "pattern", "value", "purpose", "example", "required"}
_NEEDS_KEY = {Where.QUERY, Where.HEADER}
_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,63}$")


def _parse_field(raw: object, index: int) -> AllowedField:
    where_txt = f"allowlist field #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where_txt} is not a table; fix resources/allowlist.toml")
    unknown = set(raw) - _KEYS
    if unknown:
        raise ConfigError(f"{where_txt} has unknown keys {sorted(unknown)}; remove them")
    try:
        name = str(raw["name"])
        request = RequestKind(raw["request"])
        where = Where(raw["where"])
        purpose = str(raw["purpose"]).strip()
        example = str(raw["example"])
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"{where_txt} is missing or has an invalid {exc}; fix it") from None
    key = raw.get("key")
    pattern = raw.get("pattern")
    value = raw.get("value")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name):
        raise ConfigError(f"{where_txt}: name {name!r} must be lower_snake_case")
    if not purpose:
        raise ConfigError(f"allowlist field {name!r} needs a purpose sentence")
    if (pattern is None) == (value is None):
        raise ConfigError(f"allowlist field {name!r} needs exactly one of pattern or value")
    if where in _NEEDS_KEY and not (isinstance(key, str) and _TOKEN.fullmatch(key)):
        raise ConfigError(f"allowlist field {name!r} travels in {where.value} and needs a key")
    if pattern is not None:
        if not (pattern.startswith("^") and pattern.endswith("$")):
            raise ConfigError(f"allowlist field {name!r}: pattern must be anchored with ^...$")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"allowlist field {name!r}: bad pattern ({exc})") from None
    field = AllowedField(
        name=name,
        request=request,
        where=where,
        purpose=purpose,
        example=example,
        key=key,
        pattern=pattern,
        value=value,
        required=bool(raw.get("required", False)),
    )
    if not field.accepts(example):
        raise ConfigError(f"allowlist field {name!r}: its example does not match its rule")
    return field


def parse_allowlist(data: bytes) -> Allowlist:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"allowlist is not valid TOML ({exc}); fix the file") from None
    if doc.get("version") != 1:
        raise ConfigError("allowlist version must be 1")
    raw_fields = doc.get("field")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise ConfigError("allowlist has no [[field]] entries")
    fields = tuple(_parse_field(raw, i) for i, raw in enumerate(raw_fields))
    names = [f.name for f in fields]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"allowlist names fields twice: {', '.join(dupes)}")
    for kind in RequestKind:
        keys = [
            (f.where, (f.key or "").lower()) for f in fields if f.request is kind and f.key
        ]
        if len(keys) != len(set(keys)):
            raise ConfigError(f"allowlist lists the same {kind.value} header or parameter twice")
    return Allowlist(fields=fields, sha256=hashlib.sha256(data).hexdigest())


def default_allowlist_bytes() -> bytes:
    return resources.files("glass_updater.resources").joinpath("allowlist.toml").read_bytes()


def load_allowlist(path: Path | None = None) -> Allowlist:
    """The shipped allowlist, or another file (tests, auditors comparing versions)."""
    data = path.read_bytes() if path is not None else default_allowlist_bytes()
    return parse_allowlist(data)
