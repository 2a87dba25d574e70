"""`shopify-sync demo --json`, in embedded mode (no Redis) and with Redis and worker processes."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.conftest import TEST_REDIS_URL

pytestmark = pytest.mark.integration

# The bundled sample: 300 rows, of which these are invalid (see scripts/make_demo_sample.py).
EXPECTED_DEAD = {"C00010", "C00050", "C00090", "C00130", "C00170", "C00200", "C00240", "C00280"}


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
    assert report["total"] == 300
    assert report["synced"] + report["dead_lettered"] == report["total"]
    assert report["dead_lettered"] == len(EXPECTED_DEAD)
    assert report["failed"] == 0
    assert report["resources"]["customers"]["total"] == 300
    with open(report["files"]["dead letters"], encoding="utf-8") as handle:
        letters = [json.loads(line) for line in handle]
    assert {e["record_key"] for e in letters} == EXPECTED_DEAD
    for entry in letters:
        assert entry["reason"]["message"] and entry["source"]["customer_id"] == entry["record_key"]
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
