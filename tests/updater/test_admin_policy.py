"""The administrator's policy: fail closed, narrow only, pin, mirror, proxy, ask (threat 49)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from glass_updater import cli
from glass_updater.admin_policy import MANAGED, default_policy_path, load_policy
from glass_updater.driver import run_inline
from glass_updater.errors import PolicyError
from glass_updater.flow import UpdateFlow
from glass_updater.model import CheckStatus
from glass_updater.paths import Paths
from glass_updater.settings import UserSettings
from glass_updater.transport.witness import Witness
from glass_updater.updater import Updater

from tests.fakes import FakeHost, RecordingDriver
from tests.sim import NOW, FeedSimulator
from tests.updater.test_updater import make_config


@pytest.fixture
def sim() -> FeedSimulator:
    s = FeedSimulator()
    s.add_release("1.2.0")
    s.add_release("1.4.0")
    return s


def policy_file(tmp_path: Path, text: str, name: str = "etc-glass-updater") -> Path:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    path = folder / "policy.toml"
    path.write_text(text)
    return path


def make(sim: FeedSimulator, tmp_path: Path, policy: Path, **overrides: object) -> Updater:
    return Updater(
        make_config(sim, **overrides),
        paths=Paths.under(tmp_path / "state"),
        transport=sim.transport,
        clock=lambda: NOW,
        policy_path=policy,
    )


def test_default_locations_per_os() -> None:
    assert default_policy_path("linux") == Path("/etc/glass-updater/policy.toml")
    assert default_policy_path("darwin") == Path(
        "/Library/Application Support/glass-updater/policy.toml"
    )


def test_no_environment_variable_moves_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    before = default_policy_path()
    for var in ("XDG_CONFIG_DIRS", "XDG_CONFIG_HOME", "PROGRAMDATA", "ProgramData",
                "GLASS_UPDATER_POLICY", "HOME"):
        monkeypatch.setenv(var, "/tmp/elsewhere")
    assert default_policy_path() == before


def test_missing_policy_changes_nothing(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make(sim, tmp_path, tmp_path / "nowhere" / "policy.toml")
    assert not updater.policy.present
    assert updater.check().status is CheckStatus.UPDATE_AVAILABLE


def test_disabled_means_no_network_even_on_explicit_check(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    policy = policy_file(tmp_path, "disabled = true\n")
    updater = make(sim, tmp_path, policy)
    witness = Witness.install()
    with witness.recording() as log:
        with pytest.raises(PolicyError) as caught:
            updater.check()
        with pytest.raises(PolicyError):
            updater.preview()
    assert MANAGED in caught.value.message and "\n" not in caught.value.message
    assert sim.requests == []
    assert log.network == []
    assert not (tmp_path / "state").exists()  # not even the lock folder


def test_disabled_in_the_flow_tells_the_user(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make(sim, tmp_path, policy_file(tmp_path, "disabled = true\n"))
    driver = RecordingDriver()
    flow = UpdateFlow(updater, driver, run_in_background=run_inline, host=FakeHost())
    flow.start()
    assert flow.error is not None and MANAGED in flow.error.message
    assert sim.requests == []


@pytest.mark.parametrize(
    "text, says",
    [
        ("disabled = tru\n", "not valid TOML"),
        ("disabled = \"yes\"\n", "has disabled in the global table that is not true or false"),
        ("add_fields = [\"hostname\"]\n", "unknown key 'add_fields'"),
        ("remove_fields = \"version\"\n", "has remove_fields in the global table that is not"),
        ("remove_fields = [1]\n", "list of field names"),
        ("remove_fields = [\"hostname\"]\n", "unknown field 'hostname'"),
        ("max_version = \"one\"\n", "not a version number"),
        ("feed_url = \"http://mirror.corp.example/f.json\"\n", "feed_url is refused"),
        ("proxy = \"socks4://p:1\"\n", "proxy is refused"),
        ("[product.\"demo-app\"]\nwhatever = 1\n", "unknown key 'whatever'"),
        ("[product.\"other-app\"]\ndisabled = 3\n", "that is not true or false"),
        ("product = 3\n", "[product] entry"),
    ],
)
def test_invalid_policy_fails_closed_with_one_line(
    sim: FeedSimulator, tmp_path: Path, text: str, says: str
) -> None:
    updater = make(sim, tmp_path, policy_file(tmp_path, text))
    with pytest.raises(PolicyError) as caught:
        updater.check()
    message = caught.value.message
    assert says in message, message
    assert "administrator" in message and "\n" not in message
    assert sim.requests == []


def test_unreadable_policy_fails_closed(sim: FeedSimulator, tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    (folder / "policy.toml").mkdir(parents=True)  # a folder where the file should be
    updater = make(sim, tmp_path, folder / "policy.toml")
    with pytest.raises(PolicyError, match="cannot be read"):
        updater.check()
    assert sim.requests == []


def test_product_table_overrides_the_global_one(sim: FeedSimulator, tmp_path: Path) -> None:
    text = 'disabled = true\n[product."demo-app"]\ndisabled = false\nmax_version = "1.3"\n'
    path = policy_file(tmp_path, text)
    own = load_policy(path, "demo-app")
    other = load_policy(path, "other-app")
    assert own.product_table and not own.disabled and own.max_version == "1.3"
    assert other.disabled and not other.product_table
    result = make(sim, tmp_path, path).check()
    assert result.release is not None and result.release.version == "1.2.0"


def test_max_version_pins(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make(sim, tmp_path, policy_file(tmp_path, 'max_version = "1.1"\n'))
    result = updater.check()
    assert result.status is CheckStatus.UP_TO_DATE
    assert "administrator allows versions up to 1.1" in result.reason


def test_remove_fields_narrows_and_never_widens(sim: FeedSimulator, tmp_path: Path) -> None:
    policy = policy_file(tmp_path, 'remove_fields = ["version"]\n')
    request = make(sim, tmp_path, policy).preview()
    assert b"version=" not in request.request_bytes
    assert b"product=demo-app" in request.request_bytes
    # The packager removed "product"; the policy cannot bring it back (it only removes).
    empty = policy_file(tmp_path, "remove_fields = []\n", "other")
    narrowed = make(sim, tmp_path, empty, remove_fields=("product",)).preview()
    assert b"product=" not in narrowed.request_bytes
    both = make(sim, tmp_path, policy, remove_fields=("product",)).preview()
    assert b"?" not in both.request_bytes.split(b"\r\n", 1)[0]


def test_mirror_keeps_the_same_trusted_keys(sim: FeedSimulator, tmp_path: Path) -> None:
    mirror = "https://mirror.corp.example/demo-app/feed.json"
    updater = make(sim, tmp_path, policy_file(tmp_path, f'feed_url = "{mirror}"\n'))
    assert updater.preview().url.startswith("https://mirror.corp.example/demo-app/feed.json?")
    assert updater.check().status is CheckStatus.UPDATE_AVAILABLE
    assert sim.requests[-1].target.host == "mirror.corp.example"
    sim.rotate()  # the mirror serves a feed signed by a key the packager never trusted
    sim.bump()
    from glass_updater.errors import FeedError

    with pytest.raises(FeedError):
        updater.check()


def test_policy_proxy_and_ask_beat_user_settings(sim: FeedSimulator, tmp_path: Path) -> None:
    text = 'proxy = "http://proxy.corp.example:3128"\nask_before_every_check = true\n'
    updater = make(sim, tmp_path, policy_file(tmp_path, text))
    updater.settings.save(UserSettings(proxy="none", ask_before_check=False))
    assert updater.user_settings().ask_before_check is True
    request = updater.preview()
    assert request.proxy is not None and request.proxy.host == "proxy.corp.example"


def test_policy_proxy_is_shown_without_its_credentials(tmp_path: Path) -> None:
    text = 'proxy = "http://ann:s3cret@proxy.corp.example:3128"\n'
    policy = load_policy(policy_file(tmp_path, text), "demo-app")
    assert policy.changes() == ("proxy: http://<credentials redacted>@proxy.corp.example:3128",)
    assert "s3cret" not in policy.summary() and "ann" not in json.dumps(policy.to_json())
    socks = policy_file(tmp_path, 'proxy = "socks5h://127.0.0.1:9050"\n', "b")
    plain = load_policy(socks, "demo-app")
    assert plain.changes() == ("proxy: socks5h://127.0.0.1:9050",)


def test_audit_shows_policy_hash_and_changes(sim: FeedSimulator, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[product]\nid = "demo-app"\nversion = "1.0.0"\n'
        f'[feed]\nurl = "{sim.base_url}{sim.feed_path}"\ntrusted_keys = ["{sim.public_key}"]\n'
    )
    path = policy_file(tmp_path, 'max_version = "1.3"\nremove_fields = ["version"]\n')
    import hashlib

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for fmt in ("text", "markdown", "json"):
        out = io.StringIO()
        code = cli.main(["audit", "--config", str(config), "--format", fmt], out,
                        io.StringIO(), policy_path=path)
        assert code == 0
        assert digest in out.getvalue()
        assert "1.3" in out.getvalue()
        # The administrator removed `version`, not the publisher: never attributed to them.
        assert "removed by packager" not in out.getvalue()
        assert "narrowed by the publisher" not in out.getvalue()
    doc = json.loads(out.getvalue())
    assert doc["administrator_policy"]["sha256"] == digest
    assert "never send: version" in doc["administrator_policy"]["changes"]
    assert doc["removed_by_packager"] == []


def test_cli_check_disabled_exits_2_with_one_line(sim: FeedSimulator, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[product]\nid = "demo-app"\nversion = "1.0.0"\n'
        '[feed]\nurl = "https://updates.example.com/demo-app/feed.json"\n'
        f'trusted_keys = ["{sim.public_key}"]\n'
    )
    out, err = io.StringIO(), io.StringIO()
    witness = Witness.install()
    with witness.recording() as log:
        code = cli.main(["check", "--config", str(config), "--state-dir", str(tmp_path / "s")],
                        out, err, policy_path=policy_file(tmp_path, "disabled = true\n"))
    assert code == 2
    assert err.getvalue().count("\n") == 1 and MANAGED in err.getvalue()
    assert log.network == []


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: p.chmod(0o664), "writable by its group"),
        (lambda p: p.parent.chmod(0o777), "which other users can write"),
        (lambda p: p.parent.chmod(0o775), "which other users can write"),
    ],
)
def test_policy_others_can_change_fails_closed(
    sim: FeedSimulator, tmp_path: Path, change: object, message: str
) -> None:
    """Read-only for users: a group-writable file or a folder others can write (they
    could replace the file) is not the administrator's word."""
    path = policy_file(tmp_path, 'max_version = "1.3"\n')
    path.parent.chmod(0o755)
    path.chmod(0o644)
    assert make(sim, tmp_path, path).policy.error is None
    change(path)  # type: ignore[operator]
    with pytest.raises(PolicyError, match=message):
        make(sim, tmp_path, path).check()
    assert sim.requests == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_policy_owned_by_another_user_fails_closed(sim: FeedSimulator, tmp_path: Path) -> None:
    path = policy_file(tmp_path, 'max_version = "1.3"\n')
    path.parent.chmod(0o755)
    os.chown(path, 54321, -1)
    with pytest.raises(PolicyError, match="belongs to another user"):
        make(sim, tmp_path, path).check()
    os.chown(path, 0, -1)
    os.chown(path.parent, 54321, -1)
    with pytest.raises(PolicyError, match="belongs to another user"):
        make(sim, tmp_path, path).check()
    assert sim.requests == []


def test_world_writable_policy_fails_closed(sim: FeedSimulator, tmp_path: Path) -> None:
    path = policy_file(tmp_path, 'max_version = "1.3"\n')
    path.chmod(0o666)
    updater = make(sim, tmp_path, path)
    with pytest.raises(PolicyError, match="writable by every user"):
        updater.check()
    assert sim.requests == []
    path.chmod(0o644)
    assert make(sim, tmp_path, path).check().release is not None


def test_a_remove_list_the_allowlist_cannot_take_fails_closed(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    """A field the policy parser knows but the allowlist refuses to remove (a required
    one): the policy is not ignored, no check is made, and the packager's config stays."""
    updater = make(sim, tmp_path, policy_file(tmp_path, 'remove_fields = ["path"]\n'))
    assert updater.policy.error is not None and "cannot be used" in updater.policy.error
    assert updater.allowlist.removed == () and updater.config == updater.packager_config
    with pytest.raises(PolicyError, match="no check is made until it is fixed"):
        updater.check()
    assert sim.requests == []
