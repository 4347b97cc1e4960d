"""The client's redirect rules, one by one, against a transport double (no sockets).

Threat 22 and 47 on real sockets: tests/updater/transport/test_redirects.py. Here each rule
is a fast unit test: https→http refused, plain http only on loopback, other hosts only if
allowed, loops, too many hops, a missing Location, scheme and port kept, only allowlisted
fields on the new hop (rebuilt from the request's own values), each hop's exchange
reported and the write-ahead hook called before each hop's first byte.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from glass_updater.allowlist import Allowlist, load_allowlist
from glass_updater.client import Client
from glass_updater.config import PackagerConfig
from glass_updater.driver import UpdateChoice, run_inline
from glass_updater.errors import Cause, TransportError
from glass_updater.flow import UpdateFlow
from glass_updater.paths import Paths
from glass_updater.policy import check_request_sha256
from glass_updater.proxy import parse_proxy_url
from glass_updater.request import build_check_request, build_download_request, parse_target
from glass_updater.resume import PartialInfo
from glass_updater.settings import SettingsStore, UserSettings
from glass_updater.staging import Staging
from glass_updater.updater import Updater
from glass_updater.wire_types import Exchange, OutboundRequest, ProxySpec, Target

from tests.doubles import MockTransport, Response
from tests.fakes import FakeHost, RecordingDriver
from tests.sim import NOW, FeedSimulator
from tests.updater.test_updater import make_config

FEED = "https://updates.example.com/demo-app/feed.json"
KEY = "ed25519:" + "A" * 43 + "="


@dataclass
class Routes:
    """A MockTransport answering by URL (without its query) from a table; each send is
    logged into ``log`` beside the client's own hooks, so their order can be checked."""

    answers: dict[str, Response]
    log: list[tuple[str, str]] = field(default_factory=list)
    fail_at: str | None = None  # a URL whose send fails after its bytes were written

    def __post_init__(self) -> None:
        self.transport = MockTransport(self.answer)

    @property
    def sent(self) -> list[OutboundRequest]:
        return self.transport.requests

    def answer(self, request: OutboundRequest) -> Response:
        self.log.append(("wire", request.url))
        if request.url == self.fail_at:
            partial = Exchange(request=request, sent=request.transmissions, status=None)
            raise TransportError("the connection was reset", exchange=partial)
        return self.answers.get(request.url.split("?", 1)[0], Response(body=b"body"))


def moved(location: str, status: int = 302) -> Response:
    return Response(status, (("Location", location),))


@pytest.fixture
def allowlist() -> Allowlist:
    return load_allowlist()


def check(allowlist: Allowlist, url: str = FEED) -> OutboundRequest:
    return build_check_request(
        allowlist, feed_url=url, product="demo-app", version="1.0.0", proxy=None, max_body=10_000
    )


def client_for(
    allowlist: Allowlist,
    routes: Routes,
    *,
    hosts: frozenset[str] = frozenset(),
    max_redirects: int = 5,
) -> Client:
    return Client(
        allowlist,
        transport=lambda: routes.transport,
        proxy="none",
        allowed_hosts=hosts,
        max_redirects=max_redirects,
        on_sending=lambda request: routes.log.append(("write-ahead", request.url)),
        on_exchange=lambda exchange: routes.log.append(("exchange", exchange.request.url)),
    )


def refusal(
    allowlist: Allowlist, routes: Routes, request: OutboundRequest, **kwargs: object
) -> TransportError:
    with pytest.raises(TransportError) as info:
        client_for(allowlist, routes, **kwargs).send(request)  # type: ignore[arg-type]
    assert info.value.cause is Cause.REDIRECT
    return info.value


def test_https_to_http_is_refused_and_never_requested(allowlist: Allowlist) -> None:
    routes = Routes({FEED: moved("http://updates.example.com/feed.json")})
    error = refusal(allowlist, routes, check(allowlist))
    assert "uses plain http://, which is allowed only for 127.0.0.1" in error.message
    assert [r.url for r in routes.sent] == [check(allowlist).url]


def test_https_to_http_is_refused_even_for_loopback(allowlist: Allowlist) -> None:
    url = "https://127.0.0.1:8443/demo-app/feed.json"
    routes = Routes({url: moved("http://127.0.0.1:8443/feed.json")})
    error = refusal(allowlist, routes, check(allowlist, url), hosts=frozenset({"127.0.0.1"}))
    assert "from https to" in error.message
    assert len(routes.sent) == 1


def test_plain_http_is_followed_on_loopback_only(allowlist: Allowlist) -> None:
    url = "http://127.0.0.1:8080/demo-app/feed.json"
    routes = Routes({url: moved("/demo-app/v2/feed.json")})
    final = client_for(allowlist, routes).send(check(allowlist, url))
    assert final.status == 200 and final.request.target.scheme == "http"
    assert final.request.url == (
        "http://127.0.0.1:8080/demo-app/v2/feed.json?product=demo-app&version=1.0.0"
    )

    away = Routes({url: moved("http://updates.example.com/demo-app/feed.json")})
    error = refusal(
        allowlist, away, check(allowlist, url), hosts=frozenset({"updates.example.com"})
    )
    assert "allowed only for 127.0.0.1/localhost" in error.message
    assert len(away.sent) == 1


def test_http_to_https_is_refused_the_scheme_is_kept(allowlist: Allowlist) -> None:
    url = "http://127.0.0.1:8080/demo-app/feed.json"
    routes = Routes({url: moved("https://127.0.0.1:8080/demo-app/feed.json")})
    error = refusal(allowlist, routes, check(allowlist, url))
    assert "from http to https" in error.message
    assert len(routes.sent) == 1


def test_another_host_only_if_allowed(allowlist: Allowlist) -> None:
    mirror = "https://mirror.example.com/demo-app/feed.json"
    routes = Routes({FEED: moved(mirror)})
    error = refusal(allowlist, routes, check(allowlist))
    assert "another host (mirror.example.com)" in error.message
    assert len(routes.sent) == 1

    allowed = Routes({FEED: moved(mirror)})
    final = client_for(allowlist, allowed, hosts=frozenset({"mirror.example.com"})).send(
        check(allowlist)
    )
    assert final.status == 200
    assert [r.target.host for r in allowed.sent] == ["updates.example.com", "mirror.example.com"]
    assert allowed.sent[1].headers[0] == ("Host", "mirror.example.com")


def test_another_port_of_the_same_host_is_refused(allowlist: Allowlist) -> None:
    routes = Routes({FEED: moved("https://updates.example.com:8443/demo-app/feed.json")})
    error = refusal(allowlist, routes, check(allowlist), hosts=frozenset({"updates.example.com"}))
    assert "another port of updates.example.com (from 443 to 8443)" in error.message
    assert len(routes.sent) == 1


def test_a_loop_is_refused_before_the_repeat_is_sent(allowlist: Allowlist) -> None:
    a = "https://updates.example.com/demo-app/a.json"
    b = "https://updates.example.com/demo-app/b.json"
    query = "?product=demo-app&version=1.0.0"
    routes = Routes({a: moved("b.json"), b: moved("a.json")})
    error = refusal(allowlist, routes, check(allowlist, a))
    assert f"redirect loop back to {a + query}" in error.message
    assert error.host == "updates.example.com"
    assert [r.url for r in routes.sent] == [a + query, b + query]


def test_more_than_max_redirects_is_refused(allowlist: Allowlist) -> None:
    base = "https://updates.example.com/demo-app/h"
    query = "?product=demo-app&version=1.0.0"
    routes = Routes({f"{base}{i}": moved(f"h{i + 1}") for i in range(10)})
    error = refusal(allowlist, routes, check(allowlist, base + "0"), max_redirects=2)
    assert "more than 2 redirects from updates.example.com" in error.message
    assert [r.url for r in routes.sent] == [f"{base}{i}{query}" for i in range(3)]


def test_a_redirect_without_location_is_refused(allowlist: Allowlist) -> None:
    routes = Routes({FEED: Response(301)})
    error = refusal(allowlist, routes, check(allowlist))
    assert "answered 301 without saying where to go (no Location)" in error.message
    assert len(routes.sent) == 1


def test_a_new_hop_carries_only_allowlisted_fields_rebuilt_from_the_request(
    allowlist: Allowlist,
) -> None:
    """The server's own query is refused; the check's is re-applied by the builder."""
    first = check(allowlist)
    routes = Routes({FEED: moved("/demo-app/v2/feed.json?product=demo-app&version=1.0.0")})
    final = client_for(allowlist, routes).send(first)
    hop = routes.sent[1]
    expected = check(allowlist, "https://updates.example.com/demo-app/v2/feed.json")
    assert hop.transmissions == expected.transmissions
    assert {f.name for f in hop.fields} <= {f.name for f in allowlist.fields}
    assert final.request is hop

    tracking = Routes({FEED: moved("/demo-app/x.json?uid=42")})
    error = refusal(allowlist, tracking, first)
    assert "adds a query" in error.message and len(tracking.sent) == 1


def test_a_download_hop_keeps_range_and_if_range(allowlist: Allowlist) -> None:
    """Range and If-Range travel in the request's values, so the hop resumes the same."""
    url = "https://cdn.example.com/demo-app/app-1.4.0.AppImage"
    resumed = build_download_request(
        allowlist, url=url, proxy=None, max_body=500, resume_from=500, if_range='"etag-1"'
    )
    routes = Routes({url: moved("https://mirror.example.com/app-1.4.0.AppImage", 307)})
    client_for(allowlist, routes, hosts=frozenset({"mirror.example.com"})).send(resumed)
    hop = routes.sent[1]
    assert ("Range", "bytes=500-") in hop.headers and ("If-Range", '"etag-1"') in hop.headers
    assert hop.transmissions == build_download_request(
        allowlist,
        url="https://mirror.example.com/app-1.4.0.AppImage",
        proxy=None,
        max_body=500,
        resume_from=500,
        if_range='"etag-1"',
    ).transmissions


def test_write_ahead_before_each_hop_and_every_exchange_reported(allowlist: Allowlist) -> None:
    first = check(allowlist)
    mirror = "https://mirror.example.com/demo-app/feed.json?product=demo-app&version=1.0.0"
    routes = Routes({FEED: moved("https://mirror.example.com/demo-app/feed.json")})
    client_for(allowlist, routes, hosts=frozenset({"mirror.example.com"})).send(first)
    assert routes.log == [
        ("write-ahead", first.url),
        ("wire", first.url),
        ("exchange", first.url),
        ("write-ahead", mirror),
        ("wire", mirror),
        ("exchange", mirror),
    ]


def test_a_failed_hop_is_reported_once_and_raised(allowlist: Allowlist) -> None:
    first = check(allowlist)
    mirror = "https://mirror.example.com/demo-app/feed.json?product=demo-app&version=1.0.0"
    routes = Routes({FEED: moved(mirror.split("?")[0])}, fail_at=mirror)
    with pytest.raises(TransportError, match="reset") as info:
        client_for(allowlist, routes, hosts=frozenset({"mirror.example.com"})).send(first)
    assert info.value.exchange is not None
    assert [e for e in routes.log if e[0] == "exchange"] == [
        ("exchange", first.url),
        ("exchange", mirror),
    ]


def test_building_opens_no_transport(allowlist: Allowlist) -> None:
    """A preview is built without the transport: it is made at the first send only."""
    made: list[str] = []

    def transport() -> MockTransport:
        made.append("transport")
        return Routes({}).transport

    client = Client(allowlist, transport=transport, proxy="http://proxy.example.com:3128")
    config = PackagerConfig(
        product_id="demo-app", product_name="Demo", version="1.0.0", feed_url=FEED,
        trusted_keys=(KEY,),
    )
    request = client.check_request(config, max_body=10_000)
    assert made == [] and request.proxy is not None
    client.send(request)
    assert made == ["transport"]


def test_the_proxy_is_resolved_once_per_target_and_kept_on_hops(
    allowlist: Allowlist, monkeypatch: pytest.MonkeyPatch
) -> None:
    import glass_updater.client as client_module

    resolved: list[str] = []
    real = client_module.resolve_proxy

    def counting(setting: str, target: Target) -> ProxySpec | None:
        resolved.append(target.url)
        return real(setting, target)

    monkeypatch.setattr(client_module, "resolve_proxy", counting)
    routes = Routes({})
    client = Client(
        allowlist,
        transport=lambda: routes.transport,
        proxy="http://proxy.example.com:3128",
        allowed_hosts=frozenset({"mirror.example.com"}),
    )
    target = parse_target("https://cdn.example.com/a.AppImage", purpose="asset")
    first = client.download_request(target, max_body=10)
    again = client.download_request(target, max_body=5, resume_from=5, if_range='"e"')
    assert first.proxy == again.proxy and first.proxy is not None
    assert resolved == ["https://cdn.example.com/a.AppImage"]  # once for both requests

    routes.answers[first.url] = moved("https://mirror.example.com/a.AppImage")
    client.send(first)
    assert routes.sent[1].proxy == first.proxy
    assert len(resolved) == 1  # the hop keeps the request's proxy, it resolves nothing


@pytest.mark.parametrize(
    "proxy", ["none", "http://al:pw@proxy.example.com:3128", "socks5h://127.0.0.1:9050"]
)
def test_audit_digest_is_the_preview_s_request(tmp_path: Path, proxy: str) -> None:
    """``policy.check_request_sha256`` and ``Updater.preview`` build by one path."""
    config = PackagerConfig(
        product_id="demo-app", product_name="Demo", version="1.0.0", feed_url=FEED,
        trusted_keys=(KEY,), proxy=proxy,
    )
    updater = Updater(
        config, paths=Paths.under(tmp_path / "state"), policy_path=tmp_path / "no-policy.toml"
    )
    preview = updater.preview()
    digest = hashlib.sha256(preview.request_bytes).hexdigest()
    assert check_request_sha256(updater.allowlist, updater.config) == digest


def test_audit_digest_follows_a_narrowed_allowlist(tmp_path: Path) -> None:
    """Removing a field changes both, together (they are not two copies of the rules)."""
    config = PackagerConfig(
        product_id="demo-app",
        product_name="Demo",
        version="1.0.0",
        feed_url=FEED,
        trusted_keys=(KEY,),
        remove_fields=("version",),
    )
    updater = Updater(
        config, paths=Paths.under(tmp_path / "state"), policy_path=tmp_path / "no-policy.toml"
    )
    preview = updater.preview()
    assert b"version=" not in preview.request_bytes
    digest = hashlib.sha256(preview.request_bytes).hexdigest()
    assert check_request_sha256(updater.allowlist, updater.config) == digest



# ---------------------------------------------------------------- one snapshot per operation


class CountingStore(SettingsStore):
    """The real settings file; counts how often it is read."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads = 0

    def load(self) -> UserSettings:
        self.reads += 1
        return super().load()


def counted(
    sim: FeedSimulator, tmp_path: Path, **overrides: object
) -> tuple[Updater, CountingStore]:
    updater = Updater(
        make_config(sim, **overrides),
        paths=Paths.under(tmp_path / "state"),
        transport=sim.transport,
        clock=lambda: NOW,
        preflight_downloads=False,
    )
    store = CountingStore(updater.settings.path)
    store.save(UserSettings(channel="beta", proxy="http://proxy.example.com:3128"))
    updater.settings = store
    return updater, store


def test_a_check_reads_the_settings_once_and_uses_them_throughout(tmp_path: Path) -> None:
    """Was 3-4 reads (preview's proxy, then the channel at each selection step)."""
    sim = FeedSimulator()
    sim.add_release("1.4.0")
    sim.add_release("1.5.0-beta.1", channel="beta")
    sim.withdraw("1.0.0", "it loses data")  # the withdrawal path asks for the channel too
    updater, store = counted(sim, tmp_path)
    result = updater.check()
    assert store.reads == 1
    assert result.release is not None and result.release.version == "1.5.0-beta.1"
    assert result.withdrawn is not None  # the reason still names the withdrawal
    assert [r.proxy for r in sim.transport.requests] == [
        parse_proxy_url("http://proxy.example.com:3128")
    ]


def test_a_flow_check_reads_the_settings_once(tmp_path: Path) -> None:
    """The flow's ask-first question, the preview, the check and the offer's proxy line
    share one snapshot; the download that follows is an operation of its own (one more)."""
    sim = FeedSimulator()
    sim.add_release("1.4.0")
    updater, store = counted(sim, tmp_path)
    driver = RecordingDriver(choice=UpdateChoice.NOT_NOW)
    flow = UpdateFlow(updater, driver, run_in_background=run_inline, host=FakeHost())
    flow.start()
    assert "update_found" in driver.calls and flow.facts.proxy == "http://proxy.example.com:3128"
    assert store.reads == 1
    assert flow.result is not None
    updater.download(flow.result, lambda progress: None)
    assert store.reads == 2


def test_a_download_parses_its_url_once_even_when_it_restarts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was 3-4 parses (the redirect hosts, the proxy, each attempt's request)."""
    import glass_updater.client as client_module
    import glass_updater.download as download_module
    import glass_updater.request as request_module
    import glass_updater.updater as updater_module

    sim = FeedSimulator()
    sim.add_release("1.4.0")
    updater, _ = counted(sim, tmp_path)
    result = updater.check()
    assert result.asset is not None
    url = result.asset.url
    parsed: list[str] = []
    real = request_module.parse_target

    def counting(text: str, *, purpose: str) -> Target:
        parsed.append(text)
        return real(text, purpose=purpose)

    for module in (client_module, download_module, request_module, updater_module):
        monkeypatch.setattr(module, "parse_target", counting)
    # A resumable partial the server answers with the whole file (200): restart from zero.
    asset = result.asset
    files = Staging(updater.paths.cache / "downloads", lambda point: None, 3600.0)
    files.prepare()
    files.part_path(asset.sha256).write_bytes(b"x" * 10)
    files.write_record(asset.sha256, PartialInfo(url, asset.size, asset.sha256, '"etag-1"', 10))
    sent_before = len(sim.transport.requests)
    updater.download(result, lambda progress: None)
    attempts = sim.transport.requests[sent_before:]
    assert [("Range", "bytes=10-") in r.headers for r in attempts] == [True, False]
    assert parsed.count(url) == 1
