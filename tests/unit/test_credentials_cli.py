"""`shopify-sync auth client-credentials` and `auth status` in embedded mode (the owner-only file store)."""

import json
import stat

import pytest
from typer.testing import CliRunner

from producers.cli import app
from settings import AppSettings
from simulator import ShopSpec, SimulatorState, run_in_thread
from tests.conftest import TEST_REDIS_URL
from worker.contract.access import RequiredAccess
from worker.contract.keys import Keys
from worker.contract.pauses import ShopPauses
from worker.credentials import CredentialCipher, FileCredentialStore, KeySource, new_key

runner = CliRunner()
SECRETS = {
    "ACME_SECRET": "shpss_acme_app_secret",
    "GLOBEX_TOKEN": "shpat_globex_static",
    "GLOBEX_SECRET": "shpss_g",
}


@pytest.fixture
def sim():
    specs = [
        ShopSpec(
            "acme",
            "shpat_unused",
            api_key="acme-key",
            api_secret=SECRETS["ACME_SECRET"],
            scopes=("write_customers",),
        ),
        ShopSpec(
            "globex", SECRETS["GLOBEX_TOKEN"], api_key="globex-key", api_secret=SECRETS["GLOBEX_SECRET"]
        ),
        ShopSpec("initech", "shpat_unused2"),
    ]
    with run_in_thread(SimulatorState(specs)) as running:
        yield running


@pytest.fixture
def shops_file(sim, tmp_path, monkeypatch):
    for name in ("SHOPIFY_SYNC_REDIS_URL", "SHOPIFY_SYNC_SHOPS_FILE", "SHOPIFY_SYNC_CREDENTIALS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "shops.toml"
    path.write_text(
        f"""
[[shops]]
shop_name = "acme"
api_key = "acme-key"
api_secret = "${{ACME_SECRET}}"
admin_url = "{sim.shop_url("acme")}"

[[shops]]
shop_name = "globex"
api_key = "globex-key"
api_secret = "${{GLOBEX_SECRET}}"
access_token = "${{GLOBEX_TOKEN}}"
admin_url = "{sim.shop_url("globex")}"

[[shops]]
shop_name = "initech"
admin_url = "{sim.shop_url("initech")}"
""",
        encoding="utf-8",
    )
    return path


def file_store(tmp_path, key=None):
    """The embedded store, opened with ``key`` (default: the local key file)."""
    keys = KeySource(
        AppSettings(credentials_key=key),
        embedded=True,
        local_key_file=tmp_path / "config" / "shopify-sync" / "credentials.key",
    )
    return FileCredentialStore(tmp_path / "config" / "shopify-sync" / "credentials.json", keys)


def assert_no_secret(sim, *texts):
    issued = [t for name in ("acme", "globex", "initech") for t in sim.state.shop(name).tokens.issued()]
    for text in texts:
        for secret in [*SECRETS.values(), *issued]:
            assert secret not in text


def test_client_credentials_are_stored_in_the_owner_only_file(sim, shops_file, tmp_path):
    result = runner.invoke(app, ["auth", "client-credentials", "--shops", str(shops_file), "--shop", "acme"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "config" / "shopify-sync" / "credentials.json"
    assert f"acme: client_credentials token stored in {path}" in result.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key_file = path.with_name("credentials.key")
    assert f"note: made a key for the stored credentials: {key_file} (mode 0600)" in result.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert_no_secret(sim, result.output, path.read_text())  # the file holds no token text
    (issued,) = sim.state.shop("acme").tokens.issued()
    assert file_store(tmp_path).get("acme").access_token == issued
    assert key_file.read_text().strip() not in result.output


def test_client_credentials_for_a_shop_with_a_static_token_warns(sim, shops_file):
    result = runner.invoke(
        app, ["auth", "client-credentials", "--shops", str(shops_file), "--shop", "globex"]
    )
    assert result.exit_code == 0
    assert "still sets access_token for globex" in result.stderr
    assert_no_secret(sim, result.output)


def test_refused_grant_exits_1_without_secrets(sim, shops_file, monkeypatch):
    monkeypatch.setenv("ACME_SECRET", "shpss_wrong_secret")
    result = runner.invoke(app, ["auth", "client-credentials", "--shops", str(shops_file), "--shop", "acme"])
    assert result.exit_code == 1
    assert "invalid_client" in result.stderr and "shpss_wrong_secret" not in result.output


def test_status_reports_kinds_scopes_and_what_to_do(sim, shops_file):
    runner.invoke(app, ["auth", "client-credentials", "--shops", str(shops_file), "--shop", "acme"])
    result = runner.invoke(app, ["auth", "status", "--shops", str(shops_file)])
    assert result.exit_code == 1  # acme lacks scopes, initech has no token
    out = result.stdout
    acme = out[out.index("acme:") : out.index("globex:")]
    assert "stored client-credentials token" in acme and "expires at" in acme
    assert "scopes granted: write_customers" in acme
    assert "customers  needs write_customers" in acme and "ok" in acme
    assert "products   needs write_products" in acme and "MISSING write_products" in acme
    assert "inventory  needs write_inventory, read_locations" in acme
    assert "MISSING write_inventory, read_locations" in acme
    assert "Dev Dashboard" in acme and "auth client-credentials --shop acme" in acme
    globex = out[out.index("globex:") : out.index("initech:")]
    assert "access token from the shops file" in globex and "MISSING" not in globex and "to fix" not in globex
    assert "no credentials" in out[out.index("initech:") :] and "auth install --shop initech" in out
    assert_no_secret(sim, result.output)


def test_status_json_and_offline(sim, shops_file):
    before = sim.state.stats()["requests_total"]
    result = runner.invoke(
        app, ["auth", "status", "--shops", str(shops_file), "--shop", "globex", "--offline", "--json"]
    )
    assert sim.state.stats()["requests_total"] == before
    assert result.exit_code == 0, result.output
    (globex,) = json.loads(result.stdout)["shops"]
    assert (globex["kind"], globex["scopes_granted"], globex["advice"]) == ("static", None, None)
    assert globex["resources"]["inventory"]["needs"] == ["write_inventory", "read_locations"]


def test_status_of_a_static_token_lacking_scopes(sim, shops_file):
    sim.state.shop("globex").spec.scopes = ("write_products",)
    result = runner.invoke(app, ["auth", "status", "--shops", str(shops_file), "--shop", "globex", "--json"])
    assert result.exit_code == 1
    (globex,) = json.loads(result.stdout)["shops"]
    assert globex["resources"]["customers"]["missing"] == ["write_customers"]
    assert globex["resources"]["products"]["missing"] == []
    assert "custom app" in globex["advice"]


def test_usage_errors(shops_file):
    unknown = runner.invoke(app, ["auth", "status", "--shops", str(shops_file), "--shop", "nope"])
    assert unknown.exit_code == 2 and "unknown shop 'nope'" in unknown.stderr
    bad = runner.invoke(
        app, ["auth", "install", "--shops", str(shops_file), "--shop", "acme", "--resource", "pets"]
    )
    assert bad.exit_code == 2 and "unknown resource 'pets'" in bad.stderr


def test_new_key_prints_a_fresh_usable_key():
    first, second = (runner.invoke(app, ["auth", "new-key"]) for _ in range(2))
    assert first.exit_code == second.exit_code == 0
    key = first.stdout.strip()
    assert key != second.stdout.strip()
    CredentialCipher([key.encode()])  # a valid Fernet key


def test_redis_mode_without_a_key_refuses_before_asking_for_a_token(sim, shops_file, monkeypatch, real_redis):
    monkeypatch.setenv("SHOPIFY_SYNC_REDIS_URL", TEST_REDIS_URL)
    monkeypatch.setenv("SHOPIFY_SYNC_KEY_PREFIX", "test-no-key")
    monkeypatch.delenv("SHOPIFY_SYNC_CREDENTIALS_KEY", raising=False)
    result = runner.invoke(app, ["auth", "client-credentials", "--shops", str(shops_file), "--shop", "acme"])
    assert result.exit_code == 1
    assert "SHOPIFY_SYNC_CREDENTIALS_KEY is not set" in result.stderr
    assert "`shopify-sync auth new-key`" in result.stderr
    assert sim.state.shop("acme").tokens.grants["client_credentials"] == 0
    assert list(real_redis.scan_iter("test-no-key:*")) == []


def test_reencrypt_moves_every_stored_credential_to_the_newest_key(sim, shops_file, tmp_path, monkeypatch):
    old, new = new_key(), new_key()
    monkeypatch.setenv("SHOPIFY_SYNC_CREDENTIALS_KEY", old)
    stored = runner.invoke(app, ["auth", "client-credentials", "--shops", str(shops_file), "--shop", "acme"])
    assert stored.exit_code == 0, stored.output
    assert not (tmp_path / "config" / "shopify-sync" / "credentials.key").exists()  # the key was given

    monkeypatch.setenv("SHOPIFY_SYNC_CREDENTIALS_KEY", new)  # the old key forgotten too early
    wrong = runner.invoke(app, ["auth", "status", "--shops", str(shops_file), "--shop", "acme", "--offline"])
    assert wrong.exit_code == 1
    assert "stored credentials are unusable: they cannot be decrypted with the configured key" in wrong.stdout
    refused = runner.invoke(app, ["auth", "reencrypt"])
    assert refused.exit_code == 1 and "acme: left as it was: they cannot be decrypted" in refused.stderr

    monkeypatch.setenv("SHOPIFY_SYNC_CREDENTIALS_KEY", f"{new},{old}")
    result = runner.invoke(app, ["auth", "reencrypt"])
    assert result.exit_code == 0, result.output
    assert "acme: re-encrypted (was under an older key)" in result.stdout
    assert "1 of 1 stored credentials are under the newest key" in result.stdout
    assert "acme: already under the newest key" in runner.invoke(app, ["auth", "reencrypt"]).stdout

    monkeypatch.setenv("SHOPIFY_SYNC_CREDENTIALS_KEY", new)
    after = runner.invoke(app, ["auth", "status", "--shops", str(shops_file), "--shop", "acme", "--offline"])
    assert "stored client-credentials token" in after.stdout and "unusable" not in after.stdout
    assert file_store(tmp_path, new).get("acme").access_token in sim.state.shop("acme").tokens.issued()
    assert_no_secret(sim, stored.output, wrong.output, refused.output, result.output, after.output)


def test_new_credentials_resume_what_was_paused_for_a_scope_they_grant(
    sim, shops_file, monkeypatch, real_redis
):
    prefix = "test-access-resume"
    monkeypatch.setenv("SHOPIFY_SYNC_REDIS_URL", TEST_REDIS_URL)
    monkeypatch.setenv("SHOPIFY_SYNC_KEY_PREFIX", prefix)
    monkeypatch.setenv("SHOPIFY_SYNC_CREDENTIALS_KEY", new_key())
    pauses = ShopPauses(real_redis, Keys(prefix))
    pauses.access.pause("acme", "customers", RequiredAccess(("write_customers",)), message="denied")
    pauses.access.pause("acme", "orders", RequiredAccess(("write_orders",)), message="denied")
    batch = {"shop": "acme", "sync_id": "s1", "resource": "customers", "records": [{"key": "r1"}]}
    assert pauses.access.hold("acme", "customers", batch)
    sent = []
    monkeypatch.setattr("producers.commands.auth.enqueue_batch", lambda *args: sent.append(args))
    try:
        # The app's scopes in the simulator: write_customers only.
        result = runner.invoke(
            app, ["auth", "client-credentials", "--shops", str(shops_file), "--shop", "acme"]
        )
        assert result.exit_code == 0, result.output
        assert "acme: customers resumed" in result.stdout and "1 record(s) enqueued again" in result.stdout
        assert sent == [("acme", "s1", "customers", [{"key": "r1"}])]
        assert (
            pauses.access.get("acme", "customers") is None and pauses.access.held("acme", "customers") == []
        )
        assert pauses.access.get("acme", "orders") is not None  # the new token still lacks write_orders
    finally:
        for key in real_redis.scan_iter(f"{prefix}:*"):
            real_redis.delete(key)
