"""Credentials encrypted at rest, end to end in Redis mode: `auth client-credentials` against the simulator
leaves no token text in Redis; Celery workers sync with the sealed token; after a key rotation and `auth
reencrypt` they still do with the new key alone; with a wrong key the shop is paused with a clear reason."""

import pytest
import redis

from tests.conftest import TEST_REDIS_URL
from tests.integration.conftest import wait_until
from tests.integration.test_auth_refresh import assert_no_secret, redis_state, worker_logs
from tests.integration.test_pipeline import MAPPING, customer_rows
from worker.contract.keys import Keys
from worker.credentials import CredentialCipher, CredentialKeyError, new_key

pytestmark = pytest.mark.integration


def rows(area: str, n: int) -> list[dict]:
    """Customers of their own (emails and phones unlike any other phase's)."""
    return [
        {**row, "email": f"{area}-{row['email']}", "phone": row["phone"].replace("+1415", f"+1{area}")}
        for row in customer_rows(n)
    ]


def sync(deployment, shop: str, area: str, n: int) -> dict:
    code, report = deployment.sync(shop, rows(area, n), MAPPING, "--primary-key", "id")
    assert code in (0, 1), report
    return report


def restart_workers(deployment, key: str) -> None:
    """Every process from now on gets ``key`` as SHOPIFY_SYNC_CREDENTIALS_KEY."""
    deployment.stop()
    deployment.credentials_key = key
    deployment.start_worker(concurrency=2)


def test_sealed_credentials_sync_survive_a_rotation_and_a_wrong_key_pauses_the_shop(deployment):
    shop = deployment.add_oauth_shop()
    client = redis.Redis.from_url(TEST_REDIS_URL)
    key = Keys(deployment.prefix).credentials(shop)
    book = deployment.sim.state.shop(shop).tokens

    shops = str(deployment.shops_file)
    stored = deployment.cli("auth", "client-credentials", "--shops", shops, "--shop", shop)
    assert stored.returncode == 0, stored.stderr
    (token,) = book.issued()
    at_rest = client.get(key)
    assert at_rest and token.encode() not in at_rest and token.split("_", 1)[-1].encode() not in at_rest
    assert b"client_credentials" not in at_rest  # the whole record is sealed, not only the token
    assert deployment.cipher().open(shop, at_rest).access_token == token

    deployment.start_worker(concurrency=2)
    first = sync(deployment, shop, "415", 40)
    assert (first["synced"], first["paused"], first["dead_lettered"]) == (40, 0, 0), first

    # Rotation: the new key goes in front, the old one stays readable; reencrypt; then the old key goes.
    old, new = deployment.credentials_key, new_key()
    restart_workers(deployment, f"{new},{old}")
    reencrypted = deployment.cli("auth", "reencrypt")
    assert reencrypted.returncode == 0, reencrypted.stderr
    assert f"{shop}: re-encrypted (was under an older key)" in reencrypted.stdout
    with pytest.raises(CredentialKeyError):  # sealed under the new key: the old one no longer opens it
        CredentialCipher([old.encode()]).open(shop, client.get(key))
    restart_workers(deployment, new)
    second = sync(deployment, shop, "416", 40)
    assert (second["synced"], second["paused"], second["dead_lettered"]) == (40, 0, 0), second
    assert CredentialCipher([new.encode()]).open(shop, client.get(key)).access_token == token
    assert book.grants["client_credentials"] == 1  # the same token throughout: nothing was re-issued

    # A wrong key: the shop is paused with the reason, its records held, no retry storm, nothing secret.
    wrong = new_key()
    restart_workers(deployment, wrong)
    before = deployment.sim.state.stats()["requests_total"]
    third = sync(deployment, shop, "417", 30)
    assert (third["synced"], third["paused"], third["dead_lettered"]) == (0, 30, 0), third
    reason = third["paused_shops"][shop]
    assert reason.startswith(f"credentials: stored credentials of shop '{shop}': they cannot be decrypted")
    assert "SHOPIFY_SYNC_CREDENTIALS_KEY" in reason
    assert deployment.sim.state.stats()["requests_total"] == before  # not one request without a token
    assert len(deployment.sim.state.shop(shop).customers.all()) == 80
    status = deployment.cli("shops", "status", shop)
    assert f"{shop}: PAUSED (credentials: stored credentials of shop '{shop}'" in status.stdout
    assert "30 record(s) held" in status.stdout

    # The right key back, then `shops resume`: the held records are written.
    restart_workers(deployment, new)
    resumed = deployment.cli("shops", "resume", shop)
    assert resumed.returncode == 0, resumed.stderr
    assert wait_until(lambda: len(deployment.sim.state.shop(shop).customers.all()) == 110, timeout=60)

    texts = [stored.stdout, stored.stderr, reencrypted.stdout, reencrypted.stderr, status.stdout, str(third)]
    texts += [worker_logs(deployment), redis_state(deployment)]
    assert_no_secret(deployment, shop, *texts)
    for secret in (old, new, wrong):
        assert all(secret not in text for text in texts)
