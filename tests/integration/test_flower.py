"""Real Flower against a real worker, read through Flower's own pages and HTTP API.

A shop's batch that dead-letters records is found by its state, with counts and the reason; queue
lengths answer; and no record's email or phone appears in any page or API answer, also while a batch
waits inside the worker as a countdown task (Flower's worker page lists those with their arguments).
"""

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.integration.conftest import enqueue_from_producer, free_port, start_process, wait_until

pytestmark = pytest.mark.integration

MAPPING = [
    {"mapping_type": "standard", "from": "email", "to": "email"},
    {"mapping_type": "standard", "from": "phone", "to": "phone"},
    {"mapping_type": "standard", "from": "first", "to": "firstName"},
]
FLOWER_USER = "ops:flower-test-password"
TAKEN_PHONE = "+14155550199"


def flower_get(base, path, *, raw=False):
    auth = base64.b64encode(FLOWER_USER.encode()).decode()
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Basic {auth}"})
    with urllib.request.urlopen(request, timeout=15) as answer:
        body = answer.read().decode("utf-8", errors="replace")
    return body if raw else json.loads(body)


def start_flower(deployment):
    port = free_port()
    start_process(
        deployment,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker.app",
            "flower",
            f"--port={port}",
            "--address=127.0.0.1",
            f"--basic-auth={FLOWER_USER}",
        ],
        "flower",
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            flower_get(base, "/api/tasks")
            return True
        except (OSError, ValueError):
            return False

    assert wait_until(up, timeout=60, interval=0.5), (deployment.tmp / "flower.log").read_text()
    return base


def test_flower_shows_each_tasks_outcome_the_backlog_and_no_customer_data(deployment):
    shop = deployment.add_shop()
    token = deployment.shops[shop]
    base = start_flower(deployment)
    metrics_port = free_port()
    deployment.extra_env["SHOPIFY_SYNC_METRICS_PORT"] = str(metrics_port)
    deployment.start_worker(concurrency=2)

    # Two rows share a phone: Shopify takes the first and refuses the second ("Phone has already been taken").
    rows = [
        {"id": f"f{i}", "email": f"flower{i}@example.com", "phone": f"+1415555{i:04d}", "first": "Ada"}
        for i in range(6)
    ]
    rows[2]["phone"] = rows[4]["phone"] = TAKEN_PHONE
    code, report = deployment.sync(shop, rows, MAPPING, "--primary-key", "id")
    assert (report["synced"], report["dead_lettered"]) == (5, 1), report
    assert code == 1

    def of_shop(state):
        found = flower_get(base, f"/api/tasks?state={state}")
        return [t for t in found.values() if str(t.get("args", "")).startswith(repr((shop,))[:-2])]

    # The batch wrote 5 records and dead-lettered one: Flower's Failed filter finds it, with counts and why.
    assert wait_until(lambda: of_shop("FAILURE"), timeout=60, interval=0.5), flower_get(base, "/api/tasks")
    [task] = of_shop("FAILURE")
    assert task["name"] == "shopify_sync.write_batch"
    assert task["args"] == repr((shop, report["sync_id"], "customers", "6 records"))
    assert task["exception"].startswith("RecordsDeadLettered: 1 of 6 records dead-lettered; user_error on")
    assert "Phone has already been taken" in task["exception"]
    result = eval(task["result"], {})  # a dict's repr, as Celery sends results
    assert (result["synced"], result["dead_lettered"], result["records"]) == (5, 1, 6)
    assert of_shop("SUCCESS") == []
    info = flower_get(base, f"/api/task/info/{task['uuid']}")
    assert info["state"] == "FAILURE" and info["result"] == task["result"]

    # A batch waiting inside the worker for its turn (a countdown task), its records in the message.
    waiting = [
        {"email": f"waiting{i}@example.com", "firstName": "Bo", "phone": f"+1415666{i:04d}"} for i in range(3)
    ]
    enqueue_from_producer(deployment, shop, "flower-waiting", waiting, countdown_s=120)

    workers = {}
    workers.update(flower_get(base, "/api/workers?refresh=1"))
    worker_name = next(name for name in workers if name.startswith(deployment.prefix))
    one_worker = f"/api/workers?refresh=1&workername={urllib.parse.quote(worker_name)}"

    def scheduled():  # task lists come only when one worker is asked for, as its page does
        workers.update(flower_get(base, one_worker))
        return workers[worker_name].get("scheduled") or []

    assert wait_until(scheduled, timeout=30, interval=1), workers
    [waiting_task] = scheduled()
    assert waiting_task["request"]["args"] == repr((shop, "flower-waiting", "customers", "3 records"))

    # Queue lengths answer for the shop's queue (Flower reads them from Redis with our transport).
    lengths = flower_get(base, "/api/queues/length")
    assert f"shopify.{shop}" in {q["name"] for q in lengths["active_queues"]}
    broker_page = flower_get(base, "/broker", raw=True)
    assert f"shopify.{shop}" in broker_page and "redis://127.0.0.1" in broker_page

    # No record content anywhere Flower shows or answers: pages, API, its metrics.
    paths = [
        "/",
        "/workers",
        f"/worker/{urllib.parse.quote(worker_name)}",
        "/tasks",
        "/tasks/datatable?draw=1&start=0&length=100&order[0][column]=0&columns[0][data]=name",
        f"/task/{task['uuid']}",
        f"/task/{waiting_task['request']['id']}",
        "/broker",
        "/api/workers?refresh=1",
        one_worker,
        "/api/tasks",
        f"/api/task/info/{task['uuid']}",
        "/api/queues/length",
        "/metrics",
    ]
    seen = {path: flower_get(base, path, raw=True) for path in paths}
    everything = "\n".join(seen.values())
    values = [r["email"] for r in rows] + [r["phone"] for r in rows] + [w["email"] for w in waiting]
    values += [w["phone"] for w in waiting]
    leaks = {value: [p for p, text in seen.items() if value in text] for value in values}
    assert not any(leaks.values()), leaks
    assert token not in everything and "shpat_" not in everything
    # The worker's configuration tab shows the broker URL as it is: it has no password to mask.
    assert workers[worker_name]["conf"]["broker_url"] == deployment.env["SHOPIFY_SYNC_REDIS_URL"]
    assert "********@" not in seen[one_worker]

    # The worker's own metrics count the shop's records from Redis.
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as answer:
        metrics = answer.read().decode()
    assert f'shopify_sync_records_synced_total{{shop="{shop}"}} 5.0' in metrics
    assert f'shopify_sync_records_dead_lettered_total{{shop="{shop}"}} 1.0' in metrics
    assert f'shopify_sync_shop_paused{{shop="{shop}"}} 0.0' in metrics
    assert not any(value in metrics for value in values)

    # Without credentials Flower's API refuses.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}/api/tasks", timeout=10)
    assert refused.value.code == 401
