"""End to end in Redis mode: the `shopify-sync sync` CLI, real Redis, real Celery worker processes,
and the simulator over HTTP."""

import json

import pytest
import redis

from benchmarks.harness import SimulatorControl
from tests.conftest import TEST_REDIS_URL
from tests.integration.conftest import wait_until
from worker.contract.deadletters import DeadLetterStore
from worker.contract.keys import Keys

pytestmark = pytest.mark.integration

MAPPING = [
    {"mapping_type": "standard", "from": "email", "to": "email"},
    {"mapping_type": "standard", "from": "phone", "to": "phone"},
    {"mapping_type": "standard", "from": "first", "to": "firstName"},
    {"mapping_type": "standard", "from": "last", "to": "lastName"},
    {"mapping_type": "standard", "from": "country", "to": "addresses[].countryCode"},
    {"mapping_type": "standard", "from": "city", "to": "addresses[].city"},
    {"mapping_type": "static", "from": "integration", "to": "tags[]"},
]
TAKEN_PHONE = "+19995550000"


def customer_rows(n):
    return [
        {
            "id": f"c{i}",
            "email": f"user{i}@example.com",
            "phone": f"+1415555{i:04d}",
            "first": "Ada",
            "last": "Lovelace",
            "country": "CA",
            "city": "Ottawa",
        }
        for i in range(n)
    ]


def dead_letters(deployment, sync_id):
    client = redis.Redis.from_url(TEST_REDIS_URL)
    return {e.record_key: e for e in DeadLetterStore(client, Keys(deployment.prefix)).iter(sync_id=sync_id)}


def test_1200_customers_with_10_invalid_mapped_in_two_processes(deployment):
    deployment.extra_env["SHOPIFY_SYNC_MAPPING_PROCESSES"] = "2"  # producers.parallel: 3 chunks of rows
    shop = deployment.add_shop()
    SimulatorControl(deployment.sim.base_url).seed_customer(
        shop, deployment.shops[shop], "owner@example.com", TAKEN_PHONE
    )
    rows = customer_rows(1200)
    by_id = {r["id"]: r for r in rows}
    expected = {  # record key -> (reason category, field path)
        "c3": ("validation", "email"),
        "c50": ("validation", "addresses.0.countryCode"),
        "c77": ("validation", "firstName"),
        "c620": ("validation", "phone"),
        "c850": ("validation", "email"),
        "c1000": ("validation", "addresses.0.countryCode"),
        "c1150": ("validation", "lastName"),
        "c250": ("user_error", "input.phone"),
        "c900": ("user_error", "input.phone"),
        "c200": ("user_error", None),
    }
    by_id["c3"]["email"] = "not-an-email"
    by_id["c50"]["country"] = "Canada"
    by_id["c77"]["first"] = "x" * 300
    by_id["c620"]["phone"] = "call me maybe"
    by_id["c850"]["email"] = "a@b"
    by_id["c1000"]["country"] = "ca"
    by_id["c1150"]["last"] = "y" * 256
    by_id["c250"]["phone"] = TAKEN_PHONE
    by_id["c900"]["phone"] = TAKEN_PHONE
    by_id["c200"].update(email="", phone="", first="", last="")

    deployment.start_worker(concurrency=2)
    code, report = deployment.sync(shop, rows, MAPPING, "--primary-key", "id")

    assert code == 1  # not everything synced
    assert (report["total"], report["synced"], report["dead_lettered"], report["failed"]) == (
        1200,
        1190,
        10,
        0,
    )
    assert report["resources"]["customers"]["synced"] == 1190
    letters = dead_letters(deployment, report["sync_id"])
    assert set(letters) == set(expected)
    for key, (category, field) in expected.items():
        entry = letters[key]
        assert entry.reason.category == category, (key, entry.reason)
        if field is not None:
            assert entry.reason.field == field, (key, entry.reason)
        assert entry.source == by_id[key] and entry.shop == shop and entry.resource == "customers"
    assert letters["c250"].reason.code == "TAKEN"
    assert "taken" in letters["c250"].reason.message.lower()

    stored = {c["email"] for c in deployment.sim.state.shop(shop).customers.all()}
    synced_emails = {r["email"] for r in rows if r["id"] not in expected}
    assert synced_emails <= stored
    assert len(stored) == 1191  # 1190 synced + the seeded owner: nothing created twice

    status = json.loads(deployment.cli("status", report["sync_id"], "--json").stdout)
    assert (status["synced"], status["dead_lettered"], status["finished"]) == (1190, 10, True)
    listed = deployment.cli("dlq", "list", "--sync", report["sync_id"], "--reason", "user_error", "--json")
    assert sorted(json.loads(line)["record_key"] for line in listed.stdout.splitlines()) == [
        "c200",
        "c250",
        "c900",
    ]
    shown = json.loads(deployment.cli("dlq", "show", letters["c3"].id).stdout)
    assert shown["reason"]["field"] == "email" and shown["source"]["email"] == "not-an-email"

    # The shop's token appears in no output, log, dead letter or queued task.
    token = deployment.shops[shop]
    worker_log = (deployment.tmp / "worker-0.log").read_text(encoding="utf-8")
    client = redis.Redis.from_url(TEST_REDIS_URL)
    stored_values = [client.dump(k) or b"" for k in client.scan_iter(f"{deployment.prefix}:*")]
    assert token not in worker_log + json.dumps(report) + listed.stdout
    assert all(token.encode() not in value for value in stored_values)


@pytest.mark.parametrize("throttle_response", ["graphql", "http429"])
def test_tiny_bucket_throttles_but_loses_nothing(deployment, throttle_response):
    from simulator.config import FaultConfig

    shop = deployment.add_shop(bucket_size=60, restore_rate=60)
    before = deployment.sim.state.stats()
    deployment.sim.state.faults = FaultConfig(throttle_response=throttle_response, latency_ms=20)
    # 16 requests in flight at once (176 points) against a 60-point bucket: the first wave must be refused.
    deployment.extra_env["SHOPIFY_SYNC_REQUESTS_IN_FLIGHT_PER_TASK"] = "16"
    try:
        deployment.start_worker(concurrency=2)
        code, report = deployment.sync(shop, customer_rows(60), MAPPING, "--primary-key", "id")
    finally:
        deployment.sim.state.faults = FaultConfig()
    after = deployment.sim.state.stats()
    assert code == 0, report
    assert (report["total"], report["synced"], report["dead_lettered"], report["failed"]) == (60, 60, 0, 0)
    assert len(deployment.sim.state.shop(shop).customers.all()) == 60
    # The limiter's first guess (2,000 points) was wrong; it learned the real bucket from the answers.
    assert after["throttled"] > before["throttled"]


def test_revoked_token_pauses_the_shop_and_keeps_its_records(deployment):
    shop = deployment.add_shop(configured_token="shpat_revoked0000")
    before = deployment.sim.state.stats()
    deployment.start_worker(concurrency=2)
    code, report = deployment.sync(shop, customer_rows(40), MAPPING, "--primary-key", "id")
    after = deployment.sim.state.stats()

    assert code == 1
    assert (report["total"], report["synced"], report["dead_lettered"], report["paused"]) == (40, 0, 0, 40)
    assert shop in report["paused_shops"] and "invalid_token" in report["paused_shops"][shop]
    # No retry storm: a handful of requests (those already in flight when the first 401 came back).
    unauthorized = after["by_status"].get("401", 0) - before["by_status"].get("401", 0)
    assert 1 <= unauthorized <= 8

    status = deployment.cli("shops", "status", shop)
    assert "PAUSED" in status.stdout and "40 record(s) held" in status.stdout, status

    # The merchant reinstalls the app: the configured token becomes valid, and resume syncs everything.
    deployment.sim.state.shop(shop).spec.access_token = "shpat_revoked0000"
    resumed = deployment.cli("shops", "resume", shop)
    assert resumed.returncode == 0, resumed.stderr

    def synced():
        out = deployment.cli("status", report["sync_id"], "--json")
        return json.loads(out.stdout)["synced"] == 40

    assert wait_until(synced, timeout=60, interval=0.5)
    assert len(deployment.sim.state.shop(shop).customers.all()) == 40


def test_dead_letters_replayed_with_a_corrected_mapping_sync(deployment):
    shop = deployment.add_shop()
    deployment.start_worker(concurrency=1)
    rows = customer_rows(20)
    for row in rows:
        row["since"] = "2024-03-04"
    for row in rows[:3]:
        row["since"] = "2024/03/04"  # another export format: the mapping's template cannot parse it
    template = {"mapping_type": "template", "to": "note", "from": "{{ since | to_datetime: '%Y-%m-%d' }}"}
    code, report = deployment.sync(shop, rows, [*MAPPING, template], "--primary-key", "id")
    assert code == 1 and (report["synced"], report["dead_lettered"]) == (17, 3)

    fixed = {**template, "from": "{{ since | replace: '/', '-' | to_datetime: '%Y-%m-%d' }}"}
    corrected = deployment.tmp / "corrected.json"
    corrected.write_text(json.dumps([*MAPPING, fixed]), encoding="utf-8")
    dry = deployment.cli(
        "dlq", "replay", "--sync", report["sync_id"], "--mapping", str(corrected), "--dry-run"
    )
    assert dry.returncode == 0 and dry.stdout.count(" replay") == 3
    assert len(deployment.cli("dlq", "list", "--sync", report["sync_id"], "--json").stdout.splitlines()) == 3

    replayed = deployment.cli("dlq", "replay", "--sync", report["sync_id"], "--mapping", str(corrected))
    assert replayed.returncode == 0, replayed.stderr

    def all_synced():
        status = json.loads(deployment.cli("status", report["sync_id"], "--json").stdout)
        return (status["synced"], status["dead_lettered"]) == (20, 0)

    assert wait_until(all_synced, timeout=60, interval=0.5)
    assert deployment.cli("dlq", "list", "--sync", report["sync_id"], "--json").stdout == ""
    notes = {c["email"]: c["note"] for c in deployment.sim.state.shop(shop).customers.all()}
    assert notes["user0@example.com"].startswith("2024-03-04T00:00:00")
