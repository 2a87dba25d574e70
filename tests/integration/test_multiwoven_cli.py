"""spec, check, discover and write through the CLI, as a bridge would drive them: JSON on stdin and stdout.

Every message is validated against the protocol's shapes (the gem's models, unknown keys refused), and
written records are looked up in the simulator.
"""

import json
import subprocess
import sys
import uuid

import pytest

from producers.connector.protocol import MultiwovenMessage
from simulator.config import ShopSpec

pytestmark = pytest.mark.integration


def run_cli(env, *args, stdin=None, timeout=180):
    done = subprocess.run(
        [sys.executable, "-m", "producers", *args],
        input=json.dumps(stdin) if stdin is not None else "",
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 1, (done.stdout, done.stderr)  # exactly one message, nothing else on stdout
    message = json.loads(lines[0])
    MultiwovenMessage.model_validate(message)  # the protocol's shape, no unknown keys
    return done.returncode, message


def embedded_env(deployment):
    return {k: v for k, v in deployment.env.items() if k != "SHOPIFY_SYNC_REDIS_URL"}


def connection(deployment, shop, **fields):
    return {
        "shop_name": shop,
        "access_token": deployment.shops[shop],
        "admin_url": deployment.sim.shop_url(shop),
        "resources": ["customers"],
        **fields,
    }


def sync_config(config, *, sync_id="42", run_id="7"):
    """The SyncConfig Multiwoven's server builds for a sync of the customers stream."""
    return {
        "source": {"name": "warehouse", "type": "source", "connection_specification": {}},
        "destination": {"name": "Shopify", "type": "destination", "connection_specification": config},
        "model": {
            "name": "customers",
            "query": "select * from customers",
            "query_type": "raw_sql",
            "primary_key": "email",
        },
        "stream": {
            "name": "customers",
            "json_schema": {},
            "batch_support": False,
            "batch_size": 1,
            "request_rate_limit": 545,
            "request_rate_limit_unit": "minute",
            "request_rate_concurrency": 10,
        },
        "sync_mode": "incremental",
        "destination_sync_mode": "insert",
        "sync_id": sync_id,
        "sync_run_id": run_id,
    }


def tracking_logs(message):
    assert message["type"] == "tracking"
    logs = []
    for log in message["tracking"]["logs"]:
        body = json.loads(log["message"])  # what the server stores: JSON.parse(logs[0].message)
        assert set(body) == {"request", "response", "level"} and body["level"] == log["level"]
        logs.append((log["level"], json.loads(body["request"]), json.loads(body["response"])))
    return logs


def test_spec_and_discover(deployment):
    code, spec = run_cli(deployment.env, "spec")
    assert code == 0 and spec["type"] == "connector_spec"
    properties = spec["connector_spec"]["connection_specification"]["properties"]
    assert properties["access_token"]["multiwoven_secret"] is True
    code, catalog = run_cli(deployment.env, "discover")
    assert code == 0 and catalog["type"] == "catalog"
    assert "customers" in [s["name"] for s in catalog["catalog"]["streams"]]


def test_check_connection_says_what_is_wrong(deployment, simulator):
    shop = deployment.add_shop()
    code, ok = run_cli(deployment.env, "check", stdin=connection(deployment, shop))
    assert code == 0 and ok["connection_status"]["status"] == "succeeded", ok

    _, wrong = run_cli(
        deployment.env, "check", stdin=connection(deployment, shop, access_token="shpat_wrong00")
    )
    assert wrong["connection_status"]["status"] == "failed"
    assert "rejected the access token" in wrong["connection_status"]["message"]

    limited = f"it-{uuid.uuid4().hex[:8]}"
    simulator.state.add_shop(
        ShopSpec(name=limited, access_token="shpat_limited0", scopes=("read_customers",))
    )
    config = {
        "shop_name": limited,
        "access_token": "shpat_limited0",
        "admin_url": simulator.shop_url(limited),
        "resources": ["customers"],
    }
    _, scopes = run_cli(deployment.env, "check", stdin=config)
    assert "lacks scope(s) write_customers (for customers)" in scopes["connection_status"]["message"]

    _, version = run_cli(deployment.env, "check", stdin=connection(deployment, shop, api_version="2025-01"))
    # Shopify answers an old version with the oldest one it still serves: the check passes and warns.
    assert version["connection_status"]["status"] == "succeeded"
    assert "API version 2025-01 is no longer served: Shopify answered with 2026-04" in (
        version["connection_status"]["message"]
    )

    code, garbage = run_cli(deployment.env, "check", stdin=None)
    assert code == 2 and garbage["connection_status"]["status"] == "failed"


def test_write_embedded_reports_each_record(deployment):
    shop = deployment.add_shop()
    records = [
        {
            "email": "ada@example.com",
            "firstName": "Ada",
            "addresses": [{"city": "Ottawa", "countryCode": "CA"}],
        },
        {"email": "grace@example.com", "tags": ["vip"]},
        {"email": "not-an-email", "firstName": "Broken"},
    ]
    payload = {
        "sync_config": sync_config(connection(deployment, shop)),
        "records": records,
        "action": "destination_insert",
    }
    code, message = run_cli(embedded_env(deployment), "write", "--timeout", "60", stdin=payload)
    assert code == 0
    assert (message["tracking"]["success"], message["tracking"]["failed"]) == (2, 1)
    logs = tracking_logs(message)
    assert [level for level, _, _ in logs] == ["info", "info", "error"]
    assert logs[0][1]["record"].startswith("ada@example.com#") and logs[0][2]["gid"].startswith(
        "gid://shopify/Customer/"
    )
    assert logs[2][2]["state"] == "dead_lettered" and logs[2][2]["reason"]["field"] == "email"
    stored = {c["email"] for c in deployment.sim.state.shop(shop).customers.all()}
    assert stored == {"ada@example.com", "grace@example.com"}
    assert deployment.shops[shop] not in json.dumps(message)


def test_write_with_redis_workers_one_record_per_call_like_the_server(deployment):
    shop = deployment.add_shop()
    deployment.start_worker(concurrency=2)
    config = connection(deployment, shop)
    outcomes = []
    for i in range(3):  # unbatched streams: one write per record
        payload = {
            "sync_config": sync_config(config),
            "records": [{"email": f"u{i}@example.com"}],
            "action": "destination_update" if i else "destination_insert",
        }
        code, message = run_cli(deployment.env, "write", stdin=payload)
        assert code == 0
        outcomes.append((message["tracking"]["success"], message["tracking"]["failed"]))
    assert outcomes == [(1, 0)] * 3
    assert len(deployment.sim.state.shop(shop).customers.all()) == 3

    # An upsert of an existing customer in a later run is written again (each call has its own tracking).
    payload = {
        "sync_config": sync_config(config, run_id="8"),
        "records": [{"email": "u0@example.com", "note": "updated"}],
        "action": "destination_update",
    }
    _, message = run_cli(deployment.env, "write", stdin=payload)
    assert message["tracking"]["success"] == 1
    [customer] = [
        c for c in deployment.sim.state.shop(shop).customers.all() if c["email"] == "u0@example.com"
    ]
    assert customer["note"] == "updated"


def test_write_always_prints_a_tracking_message(deployment):
    shop = deployment.add_shop()
    config = connection(deployment, shop)
    bad_stream = {**sync_config(config), "stream": {"name": "widgets"}}
    code, message = run_cli(deployment.env, "write", stdin={"sync_config": bad_stream, "records": [{"a": 1}]})
    assert code == 0 and (message["tracking"]["success"], message["tracking"]["failed"]) == (0, 1)
    assert "unknown stream 'widgets'" in tracking_logs(message)[0][2]["message"]

    code, message = run_cli(deployment.env, "write", stdin={"records": []})
    assert code == 2 and message["type"] == "tracking"
