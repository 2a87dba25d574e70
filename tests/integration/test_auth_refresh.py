"""OAuth end to end in Redis mode: `shopify-sync auth install` over HTTP, tokens in Redis, Celery workers
refreshing expiring tokens mid-sync, and several workers refreshing at once making one call."""

import asyncio
import subprocess
import sys
import threading
import time
import urllib.request

import aiohttp
import pytest
import redis

from settings import load_shops
from simulator.config import FaultConfig
from tests.conftest import TEST_REDIS_URL
from tests.integration.test_pipeline import MAPPING, customer_rows
from worker.contract.keys import Keys
from worker.credentials import RedisCredentialStore, StoredTokenProvider, TokenEndpoint

pytestmark = pytest.mark.integration


def store_of(deployment, client=None):
    return RedisCredentialStore(
        client or redis.Redis.from_url(TEST_REDIS_URL), Keys(deployment.prefix), deployment.cipher
    )


def install(deployment, shop, *extra):
    """Run `auth install` as the operator would, and approve the printed URL as the merchant would."""
    args = ["auth", "install", "--shops", str(deployment.shops_file), "--shop", shop, "--port", "0"]
    process = subprocess.Popen(
        [sys.executable, "-m", "producers", *args, "--timeout", "60", *extra],
        env=deployment.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    printed = []
    for line in process.stdout:
        printed.append(line)
        if "/admin/oauth/authorize?" in line:
            with urllib.request.urlopen(line.strip(), timeout=30) as page:  # follows the redirect
                assert page.status == 200 and "is installed" in page.read().decode()
            break
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return "".join(printed) + out + err


def assert_no_secret(deployment, shop, *texts):
    book = deployment.sim.state.shop(shop).tokens
    secrets = [*book.issued(), deployment.sim.state.shop(shop).spec.api_secret]
    assert len(secrets) > 1
    for text in texts:
        for secret in secrets:
            assert secret not in text and secret.split("_", 1)[-1] not in text


def worker_logs(deployment):
    return "".join(p.read_text() for p in deployment.tmp.glob("worker-*.log"))


def test_install_stores_an_expiring_token_in_redis(deployment):
    shop = deployment.add_oauth_shop()
    output = install(deployment, shop, "--resource", "customers")

    stored = store_of(deployment).get(shop)
    assert stored.kind == "expiring" and stored.refresh_token and stored.scopes == ("write_customers",)
    assert stored.expires_at == pytest.approx(time.time() + 3600, abs=60)
    assert f"{shop}: expiring token stored in Redis ({deployment.prefix}:credentials:<shop>)" in output
    assert_no_secret(deployment, shop, output)

    status = deployment.cli("auth", "status", "--shop", shop)
    assert status.returncode == 1  # the token lacks the other resources' scopes
    assert "stored expiring token" in status.stdout and "MISSING write_products" in status.stdout
    assert f"auth install --shop {shop}" in status.stdout
    assert_no_secret(deployment, shop, status.stdout, status.stderr)


def test_token_expiring_mid_sync_is_refreshed_with_no_record_lost_or_paused(deployment):
    shop = deployment.add_oauth_shop(access_token_ttl_s=1.0)
    install(deployment, shop)
    book = deployment.sim.state.shop(shop).tokens
    deployment.sim.state.faults = FaultConfig(latency_ms=40)
    try:
        deployment.start_worker(concurrency=2)
        started = time.monotonic()
        code, report = deployment.sync(shop, customer_rows(500), MAPPING, "--primary-key", "id")
        elapsed = time.monotonic() - started
    finally:
        deployment.sim.state.faults = FaultConfig()

    assert code == 0, report
    assert (report["total"], report["synced"], report["dead_lettered"], report["paused"]) == (500, 500, 0, 0)
    assert len(deployment.sim.state.shop(shop).customers.all()) == 500
    # The sync outlived several one-second tokens: each was renewed, never with a used refresh token.
    assert elapsed > 3
    assert book.grants["refresh_token"] >= 2 and book.refused["refresh_token"] == 0
    assert_no_secret(deployment, shop, worker_logs(deployment), str(report), redis_state(deployment))


def redis_state(deployment):
    """Every value the sync left in Redis (outcomes, counters, pauses, queues), the credentials excepted."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    dump = []
    keys = [*client.scan_iter(f"{deployment.prefix}:*"), *(f"shopify.{name}" for name in deployment.shops)]
    for key in keys:
        name = key.decode() if isinstance(key, bytes) else key
        if ":credentials:" in name or ":credentials-lock:" in name or not client.exists(name):
            continue
        kind = client.type(name).decode()
        if kind == "string":
            dump.append(client.get(name))
        elif kind == "hash":
            dump += [*client.hkeys(name), *client.hvals(name)]
        elif kind == "list":
            dump += client.lrange(name, 0, -1)
        elif kind == "zset":
            dump += client.zrange(name, 0, -1)
    assert len(dump) > 3
    return b"\n".join(v if isinstance(v, bytes) else str(v).encode() for v in dump).decode(errors="replace")


def test_401_from_an_expired_token_refreshes_and_retries_instead_of_pausing(deployment):
    shop = deployment.add_oauth_shop(access_token_ttl_s=1.5)
    install(deployment, shop)
    store = store_of(deployment)
    # The workers' stored expiry says an hour (clock skew, say); Shopify's token dies in 1.5 s.
    stored = store.get(shop)
    store.put(shop, type(stored)(**{**stored.__dict__, "expires_at": time.time() + 3600}))
    time.sleep(1.6)
    before = deployment.sim.state.stats()
    book = deployment.sim.state.shop(shop).tokens

    deployment.start_worker(concurrency=2)
    code, report = deployment.sync(shop, customer_rows(60), MAPPING, "--primary-key", "id")

    after = deployment.sim.state.stats()
    assert code == 0, report
    assert (report["synced"], report["paused"], report["dead_lettered"]) == (60, 0, 0)
    assert shop not in report.get("paused_shops", {})
    assert after["by_status"].get("401", 0) > before["by_status"].get("401", 0)
    assert book.grants["refresh_token"] >= 1 and book.refused["refresh_token"] == 0
    assert len(deployment.sim.state.shop(shop).customers.all()) == 60


@pytest.mark.parametrize("trigger", ["expiry", "401"])
def test_workers_refreshing_at_once_make_one_call(deployment, trigger):
    shop_name = deployment.add_oauth_shop()
    install(deployment, shop_name)
    shop = load_shops(deployment.shops_file, environ=deployment.env).get(shop_name)
    stored = store_of(deployment).get(shop_name)
    if trigger == "expiry":  # every worker sees a token past its refresh time
        store_of(deployment).put(
            shop_name, type(stored)(**{**stored.__dict__, "expires_at": time.time() - 1})
        )
    book = deployment.sim.state.shop(shop_name).tokens
    workers, barrier, results = 8, threading.Barrier(8), []

    def worker():
        client = redis.Redis.from_url(TEST_REDIS_URL)  # each "worker" has its own connection and loop

        async def run():
            async with aiohttp.ClientSession() as session:

                async def source():
                    return session

                tokens = StoredTokenProvider(store_of(deployment, client), TokenEndpoint(source), poll_s=0.01)
                barrier.wait()
                if trigger == "expiry":
                    return await tokens.token(shop)
                assert await tokens.on_unauthorized(shop, stored.access_token)
                return await tokens.token(shop)

        try:
            results.append(asyncio.run(run()))
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == workers and len(set(results)) == 1
    assert results[0] != stored.access_token
    assert (book.grants["refresh_token"], book.refused["refresh_token"]) == (1, 0)
    assert deployment.sim.state.shop(shop_name).accepts(results[0])
    assert store_of(deployment).get(shop_name).access_token == results[0]
