"""A pack of customers where Shopify fails one alias alone (FACTS.md, "More observed on live stores").

The simulator answers a ``customerSet`` by ``customId`` without a unique metafield definition with a
top-level ``NOT_FOUND`` on that alias's path and ``data.<alias>: null``, while the other aliases of the
same request write their customers. Through the CLI producer, Redis and a real worker process, only
that record may fail: the others end synced with their gids, in the tracker and in the simulator.
"""

import pytest
import redis

from tests.conftest import TEST_REDIS_URL
from worker.contract.keys import Keys
from worker.contract.tracking import SyncTracker

pytestmark = pytest.mark.integration

MAPPING = [
    {"mapping_type": "standard", "from": src, "to": dst}
    for src, dst in (
        ("email", "email"),
        ("first", "firstName"),
        ("custom", "customId"),
    )
]


def test_one_alias_failing_in_a_pack_leaves_the_others_synced(deployment):
    shop = deployment.add_shop()
    deployment.start_worker()
    rows = [{"id": f"c{i}", "email": f"pack{i}@example.com", "first": "Ada"} for i in range(6)]
    # No unique metafield definition for erp.undefined_key: a top-level NOT_FOUND on this record's alias.
    rows[3]["custom"] = {"namespace": "erp", "key": "undefined_key", "value": "E-3"}
    code, report = deployment.sync(shop, rows, MAPPING, "--primary-key", "id")
    assert (report["total"], report["synced"], report["dead_lettered"]) == (6, 5, 1), report
    assert code == 1

    requests = deployment.sim.state.stats()["by_shop"][shop]["requests"]
    assert requests < 6  # the records went out packed, the failing one with the others
    tracker = SyncTracker(redis.Redis.from_url(TEST_REDIS_URL), Keys(deployment.prefix))
    stored = {c["email"]: c["id"] for c in deployment.sim.state.shop(shop).customers.all()}
    for i, row in enumerate(rows):
        outcome = tracker.outcome(report["sync_id"], row["id"])
        if i == 3:
            assert outcome["state"] == "dead_lettered"
            assert "custom ids" in outcome["reason"]["message"]
            assert row["email"] not in stored
        else:
            assert outcome["state"] == "synced"
            assert outcome["gid"] == stored[row["email"]]
