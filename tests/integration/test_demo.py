"""`shopify-sync demo --json`, in embedded mode (no Redis) and with Redis and worker processes."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.conftest import TEST_REDIS_URL

pytestmark = pytest.mark.integration

# The bundled samples (scripts/make_demo_sample.py): rows per resource, and how many are invalid.
EXPECTED = {"products": (25, 4), "customers": (300, 8), "orders": (33, 3), "inventory": (235, 3)}
DEAD_CUSTOMERS = {"C00010", "C00050", "C00090", "C00130", "C00170", "C00240", "C00280"}
# C00001 and C00200 share a phone: Shopify refuses whichever of the two is written second. With worker
# processes side by side (and retries after injected faults) either can be second.
SAME_PHONE = {"C00001", "C00200"}
DEAD_ORDERS = {"SO-0031", "SO-0032", "SO-0033"}


def run_demo(tmp_path, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPIFY_SYNC_")}
    env.update(SHOPIFY_SYNC_OUTPUT_DIR=str(tmp_path / "out"), **env_overrides)
    done = subprocess.run(
        [sys.executable, "-m", "producers", "demo", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def check_report(report):
    assert report["total"] == sum(total for total, _ in EXPECTED.values())
    assert report["synced"] + report["dead_lettered"] == report["total"]
    assert report["failed"] == 0
    for resource, (total, dead) in EXPECTED.items():
        counts = report["resources"][resource]
        assert (counts["total"], counts["dead_lettered"], counts["synced"]) == (total, dead, total - dead), (
            resource
        )
    with open(report["files"]["dead letters"], encoding="utf-8") as handle:
        letters = [json.loads(line) for line in handle]
    keys = {(e["resource"], e["record_key"]) for e in letters}
    [second] = {k for r, k in keys if r == "customers"} - DEAD_CUSTOMERS
    assert {k for r, k in keys if r == "customers"} == DEAD_CUSTOMERS | {second} and second in SAME_PHONE
    [refused] = [e for e in letters if e["record_key"] == second]
    assert (refused["reason"]["field"], refused["reason"]["code"]) == ("input.phone", "TAKEN")
    assert {k for r, k in keys if r == "orders"} == DEAD_ORDERS
    assert len(letters) == report["dead_lettered"]
    assert all(e["reason"]["message"] for e in letters)
    # The first orderCreate answer was lost after the order was committed; no order exists twice.
    sim = report["simulator"]
    assert sim["answers_dropped_after_commit"] == 1
    assert (sim["orders"], sim["duplicate_orders"]) == (30, 0)
    assert sim["products"] == 21 and sim["most_variants"] == 150  # the hoodie arrived whole
    with open(report["files"]["report"], encoding="utf-8") as handle:
        assert json.load(handle)["synced"] == report["synced"]


def test_demo_embedded(tmp_path):
    report = run_demo(tmp_path)
    assert report["mode"] == "embedded"
    check_report(report)


def test_demo_with_redis(tmp_path):
    report = run_demo(
        tmp_path,
        SHOPIFY_SYNC_REDIS_URL=TEST_REDIS_URL,
        SHOPIFY_SYNC_KEY_PREFIX=f"demo-{uuid.uuid4().hex[:8]}",
    )
    assert report["mode"] == "redis"
    check_report(report)
