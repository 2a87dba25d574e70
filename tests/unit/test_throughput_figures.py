"""The throughput benchmark's figures: achieved counts synced records, checked against the store; the
fixed-sleep client is compared at its best in-flight count."""

import pytest

pytest.importorskip("psutil")

from benchmarks.harness import PLUS
from benchmarks.throughput import Run, scenario


def run(approach, synced, elapsed_s, *, records=1000, in_store=None, in_flight=16):
    figures = Run(approach, PLUS, records, 10.0, in_store=in_store, in_flight=in_flight)
    figures.series.append((elapsed_s, synced))
    return figures


def test_a_finished_run_agrees_with_the_store_only_when_equal():
    assert run("shopify-sync", 1000, 10.0, in_store=1000).store_agrees() is True
    assert run("shopify-sync", 1000, 10.0, in_store=1001).store_agrees() is False
    assert run("shopify-sync", 1000, 10.0).store_agrees() is None


def test_a_stopped_run_may_have_its_requests_in_flight_land_after_the_stop():
    assert run("fixed_sleep_client@64", 500, 5.0, in_store=560, in_flight=64).store_agrees() is True
    assert run("fixed_sleep_client@64", 500, 5.0, in_store=565, in_flight=64).store_agrees() is False
    assert run("fixed_sleep_client@64", 500, 5.0, in_store=499, in_flight=64).store_agrees() is False


def test_the_ratio_uses_the_fixed_sleep_client_at_its_best():
    runs = {
        "shopify-sync": run("shopify-sync", 1000, 10.0, in_store=1000),
        "fixed_sleep_client@16": run("fixed_sleep_client@16", 100, 10.0, in_store=100),
        "fixed_sleep_client@256": run("fixed_sleep_client@256", 800, 10.0, in_store=800, in_flight=256),
        "celery_rate_limit": run("celery_rate_limit", 200, 10.0, in_store=200),
    }
    out = scenario(runs)
    assert out["fixed_sleep_best_in_flight"] == "256"
    assert out["ratio_vs_fixed_sleep_client"] == pytest.approx(1.25, abs=0.01)
    assert out["ratio_vs_celery_rate_limit"] == pytest.approx(5.0, abs=0.01)
    assert out["store_agrees"] is True
