"""The shared limiter against the simulator's bucket, with real Redis, real HTTP and real worker processes."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid

import aiohttp
import pytest
import redis

from settings import ShopConfig
from simulator.config import ShopSpec
from tests.conftest import TEST_REDIS_URL
from tests.integration.conftest import wait_until
from tests.integration.test_pipeline import MAPPING, customer_rows
from worker.client import ShopifyClient
from worker.contract.keys import Keys
from worker.gateway import ShopGateway
from worker.ratelimit import ShopLimiter
from worker.resources.customers import CUSTOMER_SET

pytestmark = pytest.mark.integration


def customer(i: int) -> dict:
    return {"input": {"email": f"limiter-{uuid.uuid4().hex[:6]}-{i}@example.com"}, "identifier": None}


@pytest.fixture
def shop(simulator):
    name = f"lim-{uuid.uuid4().hex[:8]}"
    simulator.state.add_shop(ShopSpec(name=name, access_token="shpat_lim", bucket_size=100, restore_rate=100))
    return ShopConfig(shop_name=name, access_token="shpat_lim", admin_url=simulator.shop_url(name))


@pytest.fixture
def limiter():
    client = redis.Redis.from_url(TEST_REDIS_URL)
    keys = Keys(f"lim-{uuid.uuid4().hex[:8]}")
    yield ShopLimiter(client, keys, default_capacity=100, default_restore_rate=100)
    for key in client.scan_iter(f"{keys.prefix}:*"):
        client.delete(key)


def test_after_each_answer_the_limiter_holds_what_the_simulator_holds(simulator, shop, limiter):
    async def run() -> list[tuple[float, float]]:
        async with aiohttp.ClientSession() as session:
            gateway = ShopGateway(ShopifyClient(session, shop), limiter, max_wait_s=10)
            pairs = []
            for i in range(12):  # 12 x 11 points from a 100-point bucket: the last ones wait for the refill
                result = await gateway.send(CUSTOMER_SET, customer(i))
                server = float(result.throttle_status["currentlyAvailable"])
                mine = limiter.reconcile(limiter.try_acquire(shop.shop_name, 0.0), None)
                pairs.append((mine, server))
            return pairs

    for mine, server in asyncio.run(run()):
        # The server rounds down; a few milliseconds of refill (100 points/s) pass between the two reads.
        assert server <= mine + 0.01
        assert mine - server < 3.0
    assert simulator.state.stats()["by_shop"][shop.shop_name]["throttled"] == 0


def test_concurrent_requests_wait_for_the_bucket_instead_of_being_throttled(simulator, shop, limiter):
    async def run() -> tuple[float, float]:
        async with aiohttp.ClientSession() as session:
            gateway = ShopGateway(ShopifyClient(session, shop), limiter, max_wait_s=10)
            started = time.monotonic()
            results = await asyncio.gather(*(gateway.send(CUSTOMER_SET, customer(i)) for i in range(40)))
            return time.monotonic() - started, sum(float(r.actual_cost or 0) for r in results)

    elapsed, spent = asyncio.run(run())
    counters = simulator.state.stats()["by_shop"][shop.shop_name]
    assert (counters["requests"], counters["throttled"]) == (40, 0)
    # From a full 100-point bucket restoring 100 points/s, what the 40 requests cost could not all be sent
    # sooner: the limiter made them wait for the refill instead of sending them to be throttled.
    assert elapsed >= (spent - 100) / 100 * 0.95


def test_two_worker_processes_sharing_a_shop_never_exceed_its_bucket(deployment):
    shop = deployment.add_shop(bucket_size=2000, restore_rate=100)  # Shopify's Standard plan
    deployment.start_worker(concurrency=2)
    deployment.start_worker(concurrency=2)
    code, report = deployment.sync(shop, customer_rows(300), MAPPING, "--primary-key", "id")
    assert code == 0, report
    assert (report["total"], report["synced"]) == (300, 300)
    assert len(deployment.sim.state.shop(shop).customers.all()) == 300
    counters = deployment.sim.state.stats()["by_shop"][shop]
    # 3,000 points through a 2,000-point bucket: a tenth of a second too early anywhere would be throttled.
    assert counters["throttled"] == 0


def test_a_small_shop_does_not_wait_behind_a_big_shops_backlog(deployment):
    big = deployment.add_shop(bucket_size=2000, restore_rate=100)
    small = deployment.add_shop(bucket_size=2000, restore_rate=100)
    deployment.start_worker(concurrency=2)
    rows = deployment.tmp / "big.jsonl"
    rows.write_text("".join(json.dumps({**r, "id": f"b{r['id']}"}) + "\n" for r in customer_rows(3000)))
    (deployment.tmp / "mapping.json").write_text(json.dumps(MAPPING))
    command = [
        sys.executable, "-m", "producers", "sync", "--shops", str(deployment.shops_file), "--shop", big,
        "--resource", "customers", "--mapping", str(deployment.tmp / "mapping.json"), "--input", str(rows),
        "--primary-key", "id", "--json",
    ]  # fmt: skip
    log = open(deployment.tmp / "big-sync.log", "w")
    big_sync = subprocess.Popen(command, env=deployment.env, stdout=subprocess.DEVNULL, stderr=log)
    deployment.workers.append(big_sync)
    big_store = deployment.sim.state.shop(big).customers
    assert wait_until(lambda: len(big_store.all()) > 0, timeout=60), (
        deployment.tmp / "big-sync.log"
    ).read_text()

    code, report = deployment.sync(small, customer_rows(150), MAPPING, "--primary-key", "id")
    assert code == 0 and report["synced"] == 150, report
    # The big shop's 3,000 records, enqueued first, need 280 s of its bucket; when the small shop's records,
    # enqueued after them, are all in, the big shop has had its first bucketful (200) and not 20 s more.
    assert len(big_store.all()) < 400
