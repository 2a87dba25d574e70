"""The chaos run (``python -m benchmarks.chaos``), small: about 600 records over 3 shops and the four
resources; 5% 5xx, 2% resets, answers lost after commit (1% and one armed per dangerous mutation), 3%
answered 5xx after commit, THROTTLED bursts, a pool process SIGKILLed, one graceful Redis restart and one
Redis SIGKILL (a whole worker's SIGKILL is in test_crash_safety.py).
"""

from dataclasses import replace

import pytest

from benchmarks.chaos import ChaosPlan, run

pytestmark = pytest.mark.integration

CI_PLAN = replace(ChaosPlan.quick(), records=600, error_after_commit_rate=0.03)


def test_small_chaos_run_loses_and_duplicates_nothing(tmp_path):
    result = run(CI_PLAN, tmp_path)

    assert result["records"] >= 600
    assert result["lost"] == 0, result["problems"]
    assert result["duplicates"] == 0, result["problems"]
    assert result["synced"] + result["dead_lettered"] == result["records"]
    assert result["double_outcomes"] == result["counter_errors"] == result["store_mismatches"] == 0, result
    assert all(figures["dead_lettered"] > 0 for figures in result["by_resource"].values()), result
    # Only records invalid by construction end dead-lettered; no inventory set applied twice.
    assert result["valid_dead_lettered"] == 0, result["problems"]
    assert result["double_applies"] == 0, result["problems"]
    # The chaos happened: a worker process killed mid-batch, Redis restarted, faults and throttles answered.
    assert (result["kills"], result["redis_restarts"], result["redis_kills"]) == (1, 1, 1)
    assert result["kill_log"][0]["in_flight"] > 0
    dropped = result["faults"]["answers_dropped_after_commit"]
    assert dropped.get("orderCreate", 0) >= 1 and dropped.get("inventorySetQuantities", 0) >= 1, dropped
    assert result["faults"]["errors_after_commit"] > 0
    stats = result["faults"]["simulator_stats"]
    assert stats["connection_resets"] > 0 and stats["throttled"] > 0
    assert sum(n for status, n in stats["by_status"].items() if status.startswith("5")) > 0
    assert result["ok"] and not result["producer_failures"]
