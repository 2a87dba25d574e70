"""Flower against a real worker: the tasks read back through Flower's API say what they do, never a secret."""

import base64
import json
import sys
import urllib.error
import urllib.request

import pytest

from tests.integration.conftest import free_port, start_process, wait_until

pytestmark = pytest.mark.integration

MAPPING = [
    {"mapping_type": "standard", "from": "email", "to": "email"},
    {"mapping_type": "standard", "from": "first", "to": "firstName"},
]
FLOWER_USER = "ops:flower-test-password"


def flower_get(base, path):
    auth = base64.b64encode(FLOWER_USER.encode()).decode()
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Basic {auth}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_flower_shows_what_each_task_does_and_no_token(deployment):
    shop = deployment.add_shop()
    token = deployment.shops[shop]
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
    deployment.start_worker(concurrency=2)

    rows = [{"id": f"f{i}", "email": f"flower{i}@example.com", "first": "Ada"} for i in range(7)]
    code, report = deployment.sync(shop, rows, MAPPING, "--primary-key", "id")
    assert code == 0 and report["synced"] == 7, report

    def tasks():  # Flower sees every worker on this Redis; keep this shop's queue
        found = flower_get(base, "/api/tasks")
        return [
            t
            for t in found.values()
            if t.get("state") == "SUCCESS" and str(t.get("args", "")).startswith(repr((shop,))[:-2])
        ]

    assert wait_until(lambda: len(tasks()) >= 1, timeout=60, interval=0.5), flower_get(base, "/api/tasks")
    [task] = tasks()  # 7 records, batch size 100: one task
    assert task["name"] == "shopify_sync.write_batch"
    args = task["args"]
    assert args == repr((shop, report["sync_id"], "customers", "7 records"))
    raw = json.dumps(flower_get(base, "/api/tasks"))
    assert token not in raw and "flower0@example.com" not in raw  # no secret, no record payload either
    assert "shpat_" not in raw

    # Without credentials Flower's API refuses.
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{base}/api/tasks", timeout=10)
    assert info.value.code == 401
