"""A token without a scope: the simulator answers ACCESS_DENIED as live stores do (FACTS.md, "More observed
on live stores"), the resource pauses and stays paused across probe intervals (the shop itself answers
``shop { name }`` all along), and every held record syncs once the token has the scope.
"""

from __future__ import annotations

import json
import time

from tests.integration.conftest import wait_until

MAPPING = [
    {"mapping_type": "standard", "from": "email", "to": "email"},
    {"mapping_type": "standard", "from": "first", "to": "firstName"},
]
PROBE_INTERVAL_S = 2.0  # twice SHOPIFY_SYNC_MAX_BACKOFF_S (1 s in these deployments)


def rows(start: int, count: int) -> list[dict[str, str]]:
    return [
        {"id": f"c{i}", "email": f"user{i}@example.com", "first": "Ada"} for i in range(start, start + count)
    ]


def test_a_missing_scope_holds_the_resource_until_the_token_has_it(deployment):
    shop = deployment.add_shop()
    spec = deployment.sim.state.shop(shop).spec
    spec.scopes = tuple(s for s in spec.scopes if s != "write_customers")
    seeded = len(deployment.sim.state.shop(shop).customers.all())
    deployment.start_worker(concurrency=2)

    code, first = deployment.sync(shop, rows(0, 12), MAPPING, "--primary-key", "id")
    assert (first["total"], first["synced"], first["paused"]) == (12, 0, 12), first
    assert "write_customers" in first["paused_shops"][shop]
    status = deployment.cli("shops", "status", shop)
    assert "customers: PAUSED (missing access): needs `write_customers` access scope" in status.stdout, status
    assert "12 record(s) held" in status.stdout

    # Probe intervals pass; the token still lacks the scope: the writes are not tried again.
    later = []
    for start in (100, 200):
        time.sleep(PROBE_INTERVAL_S + 0.5)
        before = deployment.sim.state.stats()["by_shop"][shop]["requests"]
        code, report = deployment.sync(shop, rows(start, 3), MAPPING, "--primary-key", "id")
        sent = deployment.sim.state.stats()["by_shop"][shop]["requests"] - before
        assert (report["synced"], report["paused"]) == (0, 3), report
        assert sent <= 1  # at most one read of the token's scopes, no write
        later.append(report["sync_id"])
    assert len(deployment.sim.state.shop(shop).customers.all()) == seeded

    # The merchant approves the scope. The next batch reads the scopes, the resource resumes, and the
    # held records are written.
    spec.scopes = (*spec.scopes, "write_customers")
    time.sleep(PROBE_INTERVAL_S + 0.5)
    code, last = deployment.sync(shop, rows(300, 2), MAPPING, "--primary-key", "id")
    assert code == 0 and last["synced"] == 2, last

    def settled(sync_id: str, expected: int) -> bool:
        out = json.loads(deployment.cli("status", sync_id, "--json").stdout)
        return bool(out["synced"] == expected)

    assert wait_until(lambda: settled(first["sync_id"], 12), timeout=60, interval=0.5)
    assert all(wait_until(lambda s=s: settled(s, 3), timeout=60, interval=0.5) for s in later)
    emails = {c["email"] for c in deployment.sim.state.shop(shop).customers.all()}
    assert {r["email"] for r in rows(0, 12) + rows(100, 3) + rows(200, 3) + rows(300, 2)} <= emails
    assert "active" in deployment.cli("shops", "status", shop).stdout
