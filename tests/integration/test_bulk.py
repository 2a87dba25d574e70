"""The bulk path with real processes: a worker, Redis, ``shopify-sync sync --bulk`` and the simulator.

A product sync and a customer sync go through bulk operations, with rows refused before anything is
sent (validation), rows Shopify refuses inside the operation (userErrors on their line), and a customer
with nothing to upsert it by (it takes the per-request path); every record must end synced with its gid
or dead-lettered with its reason. A second test SIGKILLs the worker while an operation runs: the next
worker follows the same operation, and the shop ends with every product once.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import redis

from benchmarks.harness import SimulatorControl, SyncProcess, sync_command, write_jsonl
from tests.conftest import TEST_REDIS_URL
from tests.integration.conftest import wait_until
from tests.integration.test_crash_safety import SHORT_VISIBILITY, start_worker
from tests.integration.test_pipeline import TAKEN_PHONE
from worker.contract.deadletters import DeadLetterStore
from worker.contract.keys import Keys
from worker.contract.tracking import SyncTracker

pytestmark = pytest.mark.integration

PRODUCT_MAPPING = [
    {"mapping_type": "standard", "from": "handle", "to": "handle"},
    {"mapping_type": "standard", "from": "title", "to": "title"},
    {"mapping_type": "standard", "from": "sku", "to": "variants[].sku"},
    {"mapping_type": "standard", "from": "price", "to": "variants[].price"},
]
CUSTOMER_MAPPING = [
    {"mapping_type": "standard", "from": "email", "to": "email"},
    {"mapping_type": "standard", "from": "phone", "to": "phone"},
    {"mapping_type": "standard", "from": "first", "to": "firstName"},
    {"mapping_type": "standard", "from": "consent", "to": "emailMarketingConsent.marketingState"},
    {"mapping_type": "standard", "from": "level", "to": "emailMarketingConsent.marketingOptInLevel"},
]
# Several operations per sync, followed closely, handed to a new task every few seconds.
BULK_ENV = {
    "SHOPIFY_SYNC_BULK_RECORDS_PER_OPERATION": "250",
    "SHOPIFY_SYNC_BULK_POLL_INTERVAL_S": "0.3",
    "SHOPIFY_SYNC_BULK_FOLLOW_BUDGET_S": "3",
}


def products(count: int, tag: str) -> list[dict]:
    return [
        {"handle": f"{tag}-{i}", "title": f"Bulk {i}", "sku": f"{tag.upper()}-{i}", "price": "9.50"}
        for i in range(count)
    ]


def customers(count: int) -> list[dict]:
    return [
        {"id": f"c{i}", "email": f"bulk{i}@example.com", "phone": f"+1415777{i:04d}", "first": "Ada",
         "consent": "SUBSCRIBED" if i % 100 == 1 else "", "level": "SINGLE_OPT_IN" if i % 100 == 1 else ""}
        for i in range(count)
    ]  # fmt: skip


@pytest.fixture
def client():
    c = redis.Redis.from_url(TEST_REDIS_URL)
    yield c
    c.close()


def test_bulk_sync_settles_every_product_and_customer(deployment, client):
    deployment.extra_env.update(BULK_ENV)
    shop = deployment.add_shop(bucket_size=2000, restore_rate=100)
    sim = deployment.sim.state.shop(shop)
    SimulatorControl(deployment.sim.base_url).seed_customer(
        shop, deployment.shops[shop], "owner@example.com", TAKEN_PHONE
    )
    product_rows = products(600, "bulk")
    product_rows[5]["title"] = ""  # Shopify: "Title can't be blank", on its line of the file
    product_rows[7]["handle"] = "Not A Handle"  # refused before anything is sent
    customer_rows = customers(600)
    customer_rows[3]["email"] = "a@b"  # refused before anything is sent
    customer_rows[10]["phone"] = TAKEN_PHONE  # Shopify: phone taken, on its line of the file
    customer_rows[20].update(email="", phone="")  # nothing to upsert by: created per request
    deployment.start_worker(concurrency=2)

    code, report = deployment.sync(shop, product_rows, PRODUCT_MAPPING, "--bulk", resource="products")
    assert code == 1  # not everything synced
    assert (report["total"], report["synced"], report["dead_lettered"], report["failed"]) == (600, 598, 2, 0)
    c_code, c_report = deployment.sync(
        shop, customer_rows, CUSTOMER_MAPPING, "--bulk", "--primary-key", "id", resource="customers"
    )
    assert (c_report["total"], c_report["synced"], c_report["dead_lettered"], c_report["failed"]) == (
        600, 598, 2, 0,
    )  # fmt: skip
    assert c_code == 1

    keys = Keys(deployment.prefix)
    tracker, dead = SyncTracker(client, keys), DeadLetterStore(client, keys)
    # Products: every synced record carries the gid of the product the shop holds under its handle.
    by_handle = {p["handle"]: p for p in SimulatorControl(deployment.sim.base_url).objects(shop, "products")}
    outcomes = tracker.outcomes(report["sync_id"])
    synced = [o for o in outcomes.values() if o["state"] == "synced"]
    assert len(synced) == 598 and all(o.get("path") == "bulk" for o in synced)
    assert {o["gid"] for o in synced} == {p["id"] for p in by_handle.values()}
    assert len(by_handle) == 598 and "bulk-5" not in by_handle
    reasons = {d.reason.field: d.reason for d in dead.iter(sync_id=report["sync_id"])}
    assert reasons["input.title"].message.endswith("Title can't be blank")
    assert (reasons["input.title"].category, reasons["input.title"].path) == ("user_error", "bulk")
    assert reasons["handle"].category == "validation" and reasons["handle"].path is None

    # Customers: the bulk lines, the one sent per request, consent set after its line succeeded.
    c_outcomes = tracker.outcomes(c_report["sync_id"])
    assert c_outcomes["c20"]["state"] == "synced" and "path" not in c_outcomes["c20"]
    assert c_outcomes["c10"]["state"] == "dead_lettered" and c_outcomes["c3"]["state"] == "dead_lettered"
    c_reasons = {d.record_key: d.reason for d in dead.iter(sync_id=c_report["sync_id"])}
    assert (c_reasons["c10"].path, c_reasons["c10"].field) == ("bulk", "input.phone")
    assert c_reasons["c3"].field == "email"
    consented = sim.customers.get(c_outcomes["c101"]["gid"])
    assert consented is not None and consented["emailMarketingConsent"]["marketingState"] == "SUBSCRIBED"
    assert sum(1 for o in c_outcomes.values() if o.get("path") == "bulk") == 597

    # Three operations per sync (250 records a file), each asked for once and completed.
    operations = sim.bulk.newest_first()
    assert len(operations) == 6 and {op.status for op in operations} == {"COMPLETED"}
    # Every line of every file: the refused ones too (their records are dead letters, not lost).
    assert sum(len(op.lines) for op in operations) == 599 + 598


def test_worker_killed_mid_operation_loses_and_duplicates_nothing(deployment, client):
    deployment.extra_env.update(
        {**BULK_ENV, **SHORT_VISIBILITY, "SHOPIFY_SYNC_BULK_RECORDS_PER_OPERATION": "400"}
    )
    shop = deployment.add_shop(bucket_size=2000, restore_rate=100)
    sim = deployment.sim.state.shop(shop)
    sim.bulk.config.lines_per_s = 25  # 400 lines: about 16 s per operation
    tag = f"kill{uuid.uuid4().hex[:4]}"
    rows_file = write_jsonl(deployment.tmp / "rows.jsonl", products(800, tag))
    mapping_file = deployment.tmp / "mapping.json"
    mapping_file.write_text(json.dumps(PRODUCT_MAPPING), encoding="utf-8")
    sync_id = f"bulk-kill-{uuid.uuid4().hex[:6]}"
    command = sync_command(shops_file=deployment.shops_file, shop=shop, resource="products",
                           mapping=mapping_file, rows=rows_file, sync_id=sync_id, timeout_s=240)  # fmt: skip
    worker = start_worker(deployment, "a")
    run = SyncProcess([*command, "--bulk"], deployment.env, deployment.tmp / "sync.log").start()

    # Both operations asked for and running, lines executed: kill the whole worker.
    assert wait_until(lambda: sum(op.executed for op in sim.bulk.newest_first()) >= 60, timeout=60)
    assert len(sim.bulk.newest_first()) == 2
    worker.kill()
    killed_at = sum(op.executed for op in sim.bulk.newest_first())
    assert killed_at < 800, "the kill must hit an operation in flight"
    time.sleep(1)
    start_worker(deployment, "b")

    code, report = run.result(timeout_s=240)
    assert code == 0, report
    assert (report["total"], report["synced"], report["dead_lettered"], report["failed"]) == (800, 800, 0, 0)
    operations = sim.bulk.newest_first()
    assert len(operations) == 2, "a file was submitted twice"
    assert all(op.status == "COMPLETED" for op in operations)
    stored = [p for p in SimulatorControl(deployment.sim.base_url).objects(shop, "products")
              if p["handle"].startswith(f"{tag}-")]  # fmt: skip
    assert len(stored) == 800 and len({p["handle"] for p in stored}) == 800
    outcomes = SyncTracker(client, Keys(deployment.prefix)).outcomes(sync_id)
    assert {o["gid"] for o in outcomes.values()} == {p["id"] for p in stored}
    assert all(o.get("path") == "bulk" for o in outcomes.values())


def test_failed_operations_and_missing_results_fall_back_per_request(deployment, client):
    deployment.extra_env.update(BULK_ENV)
    shop = deployment.add_shop(bucket_size=2000, restore_rate=1000)
    sim = deployment.sim.state.shop(shop)
    sim.bulk.config.fail_after_lines = 100  # every operation fails after 100 lines, partial data kept
    sim.bulk.config.partial_every = 7  # and every 7th executed line is missing from that data
    deployment.start_worker(concurrency=2)

    code, report = deployment.sync(
        shop, products(500, "fault"), PRODUCT_MAPPING, "--bulk", resource="products"
    )
    assert code == 0 and (report["total"], report["synced"], report["failed"]) == (500, 500, 0), report

    operations = sim.bulk.newest_first()
    assert len(operations) == 2 and {op.status for op in operations} == {"FAILED"}
    outcomes = SyncTracker(client, Keys(deployment.prefix)).outcomes(report["sync_id"])
    in_bulk = [o for o in outcomes.values() if o.get("path") == "bulk"]
    assert len(in_bulk) == 2 * (100 - 100 // 7)  # the lines with a result
    stored = SimulatorControl(deployment.sim.base_url).objects(shop, "products")
    assert len(stored) == 500 and {o["gid"] for o in outcomes.values()} == {p["id"] for p in stored}
