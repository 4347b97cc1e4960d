"""The "what this software sends" statement, generated from the allowlist (promise P8).

Because the text is derived from the same file the request builder enforces, the
published privacy statement cannot drift from what the code does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from glass_updater.allowlist import AllowedField, Allowlist
from glass_updater.config import PackagerConfig
from glass_updater.wire_types import RequestKind, Where

if TYPE_CHECKING:
    from glass_updater.admin_policy import AdminPolicy

_WHERE_WORDS = {
    Where.PATH: "address (path)",
    Where.QUERY: "address (query)",
    Where.QUERY_STRING: "address (query)",
    Where.HEADER: "header",
    Where.REQUEST_LINE: "request line",
    Where.SOCKS: "SOCKS5 message",
}

VISIBLE_ANYWAY = (
    "Your IP address and the time of each check: every network request reveals these. "
    "To hide your IP address from the update server, use a proxy or VPN (Settings → Proxy), "
    "or Tor through its SOCKS port (`socks5h://127.0.0.1:9050`).",
    "The update server's host name, through the DNS lookup and the TLS handshake (SNI).",
    "A TLS fingerprint common to every program built on the same TLS library, "
    "not specific to you.",
)

MODES = (
    (
        "No proxy",
        "the update server sees your IP address; your DNS resolver sees the update host "
        "name; anyone on the network path sees the host name (DNS, TLS SNI), never the "
        "request, which travels inside TLS.",
    ),
    (
        "HTTP proxy (`http://host:port`)",
        "the update server sees the proxy's IP address instead of yours. Your proxy sees "
        "the update host name and port in clear (the CONNECT request), never the request "
        "itself. The proxy resolves the host name, so your own DNS resolver does not see "
        "it.",
    ),
    (
        "SOCKS5 with remote DNS (`socks5h://host:port`, for example Tor's SOCKS port)",
        "the host name goes to the proxy inside the SOCKS5 CONNECT message and is never "
        "looked up on this computer; the update server sees the proxy's (with Tor: an exit "
        "relay's) address. This is the way to hide both your IP address and the DNS lookup. "
        "`socks5://` (which would look the name up locally and leak it to your DNS "
        "resolver) is refused.",
    ),
    (
        "Offline bundle (`updater import FILE`, Install from File…)",
        "no network connection at all: nothing is sent to anyone. Whoever carried the "
        "file knows which product and version it holds.",
    ),
)

CANNOT_HIDE = (
    "A proxy, including Tor, cannot hide the time of a check, or that the request is "
    "the same for everyone on this product and version (that sameness is what protects "
    "you: `updater audit` prints its SHA-256).",
    "Your proxy itself learns that this computer checks for this product's updates.",
    "The update server still sees product and version (unless the publisher or your "
    "administrator removed them).",
)

NEVER_SENT = (
    "No account, e-mail, user name, device name or hardware identifier.",
    "No install ID or any other identifier that would let the server tell two users apart "
    "on the same version: none exists in this program.",
    "No cookies (the program refuses to store any) and no login or .netrc credentials.",
    "No information about your operating system, language, time zone or other software "
    "(the User-Agent is the fixed text \"glass-updater\").",
    "Your choices (skipped versions, channel, settings) stay on "
    "this computer.",
)


@dataclass(frozen=True)
class FieldRow:
    request: str
    name: str
    where: str
    rule: str
    example: str
    purpose: str


def field_rows(allowlist: Allowlist) -> tuple[FieldRow, ...]:
    return tuple(
        FieldRow(
            request=f.request.value,
            name=f.name,
            where=f"{_WHERE_WORDS[f.where]}{f' `{f.key}`' if f.key else ''}",
            rule=f"always `{f.value}`" if f.value is not None else f"pattern `{f.pattern}`",
            example=f.example,
            purpose=f.purpose,
        )
        for f in allowlist.fields
    )


def _meaningful(allowlist: Allowlist, kind: RequestKind) -> list[AllowedField]:
    return [f for f in allowlist.for_request(kind) if f.where is Where.QUERY]


def check_request_sha256(allowlist: Allowlist, config: PackagerConfig) -> str:
    """SHA-256 of the check request as the update server receives it.

    It depends only on the allowlist, product, version and feed URL, so every
    installation of the same product and version prints the same value (promise P4);
    a proxy adds bytes for the proxy but does not change these. Built by the same path as
    ``Updater.preview`` (``client.check_request``), so the two cannot drift.
    """
    from glass_updater.client import check_request
    from glass_updater.limits import DEFAULT_LIMITS

    request = check_request(allowlist, config, max_body=DEFAULT_LIMITS.max_feed_bytes)
    return hashlib.sha256(request.request_bytes).hexdigest()


def sameness_digest(allowlist: Allowlist, config: PackagerConfig, admin: AdminPolicy | None) -> str:
    if admin is not None and (admin.error is not None or admin.disabled):
        return "none: no check request is sent (administrator policy)"
    return check_request_sha256(allowlist, config)


def _admin_lines(admin: AdminPolicy | None) -> list[str]:
    if admin is None:
        return []
    if not admin.present:
        return [f"No administrator policy is installed (`{admin.path}`)."]
    return [
        f"Your administrator's policy `{admin.path}` (SHA-256 `{admin.sha256}`) applies; "
        "no setting or environment variable overrides it. It changes:",
        "",
        *[f"- {line}" for line in admin.changes()],
    ]


def privacy_statement_markdown(
    allowlist: Allowlist, config: PackagerConfig, admin: AdminPolicy | None = None
) -> str:
    name = config.product_name
    check_fields = _meaningful(allowlist, RequestKind.CHECK)
    lines = [
        f"# What {name} sends when it checks for updates",
        "",
        f"{name} looks for updates **only when you ask it to** (\"Check for Updates…\"). "
        "It has no timer and does not check at start-up.",
        "",
        "## When you check for updates",
        "",
        f"It asks the update server `{config.feed_url.split('?')[0]}` for the list of "
        "releases. The only information in that request is:",
        "",
    ]
    if check_fields:
        # This product's own values, not the allowlist's generic examples.
        ours = {"product": config.product_id, "version": config.version}
        for f in check_fields:
            value = ours.get(f.name, f.example)
            lines.append(f"- **{f.key}** (for example `{value}`): {f.purpose}")
    else:
        lines.append("- nothing about you or your installation: only the address of the list.")
    lines += [
        "",
        "Everything else in the request is fixed text that is the same for every user "
        "(the program name `glass-updater`, the data format, and technical settings). "
        "Two people with the same version send exactly the same bytes.",
        "",
        "## When you choose to install an update",
        "",
        "It downloads the file named in the publisher's signed release list. That request "
        "carries only the file's address and fixed text. If a download was interrupted, "
        "it also says how much of the file it already has, so it can continue.",
        "",
        "Before anything is installed, the file's size and SHA-256 fingerprint must match "
        "what the publisher signed; otherwise the file is deleted.",
        "",
        "## What is never sent",
        "",
        *[f"- {item}" for item in NEVER_SENT],
        "",
        "## What any network connection reveals anyway",
        "",
        *[f"- {item}" for item in VISIBLE_ANYWAY],
        "",
        "## What each way of connecting hides",
        "",
        *[f"- **{mode}**: {text}" for mode, text in MODES],
        "",
        "What no way of connecting can hide:",
        "",
        *[f"- {item}" for item in CANNOT_HIDE],
        "",
        "## Administrator policy",
        "",
        *(_admin_lines(admin) or ["An administrator can disable checks, pin a version, "
                                  "use a mirror or a proxy, or remove fields, machine-wide."]),
        "",
        "## Check it yourself",
        "",
        "\"What Is Sent…\" in the menu (or `updater preview`) shows the exact bytes before "
        "they are sent, and the history of every request made (`updater log`).",
        "",
        f"SHA-256 of the exact check request this installation sends: "
        f"`{sameness_digest(allowlist, config, admin)}` — the same on every computer with this "
        "product and version, so you can compare it with someone else's.",
        "",
        "## Every field this program can send",
        "",
        "| request | field | where | rule | example | purpose |",
        "|---|---|---|---|---|---|",
    ]
    for row in field_rows(allowlist):
        rule = row.rule.replace("|", "\\|")
        lines.append(
            f"| {row.request} | {row.name} | {row.where} | {rule} | `{row.example}` "
            f"| {row.purpose} |"
        )
    removed = ", ".join(_packager_removed(allowlist, admin))
    lines += [
        "",
        f"Allowlist SHA-256: `{allowlist.sha256}`"
        + (f" (narrowed by the publisher: {removed} never sent)" if removed else ""),
        "",
    ]
    return "\n".join(lines)


def _packager_removed(allowlist: Allowlist, admin: AdminPolicy | None) -> list[str]:
    """Fields the packager's config removed. The administrator's removals are listed with
    the policy ("never send: …"), never attributed to the publisher."""
    by_admin = set(admin.remove_fields) if admin is not None and admin.present else set()
    return [name for name in allowlist.removed if name not in by_admin]


def audit_text(
    allowlist: Allowlist, config: PackagerConfig, admin: AdminPolicy | None = None
) -> str:
    lines = [
        f"Glass Updater allowlist  sha256={allowlist.sha256}",
        f"product={config.product_id} version={config.version} feed={config.feed_url}",
        f"check request sha256={sameness_digest(allowlist, config, admin)}"
        "  (identical for every installation of this product and version)",
    ]
    if admin is not None:
        lines.append(admin.summary())
    packager_removed = _packager_removed(allowlist, admin)
    if packager_removed:
        lines.append(f"removed by packager: {', '.join(packager_removed)}")
    for row in field_rows(allowlist):
        lines.append(f"  [{row.request}] {row.name:<26} {row.where:<32} {row.rule}")
        lines.append(f"      {row.purpose}")
    return "\n".join(lines) + "\n"


def audit_json(
    allowlist: Allowlist, config: PackagerConfig, admin: AdminPolicy | None = None
) -> str:
    doc = {
        "allowlist_sha256": allowlist.sha256,
        "check_request_sha256": sameness_digest(allowlist, config, admin),
        "administrator_policy": admin.to_json() if admin is not None else None,
        "removed_by_packager": _packager_removed(allowlist, admin),
        "product": config.product_id,
        "feed_url": config.feed_url,
        "fields": [row.__dict__ for row in field_rows(allowlist)],
    }
    return json.dumps(doc, indent=2) + "\n"
