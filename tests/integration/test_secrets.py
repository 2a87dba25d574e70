"""A full sync with a known token: it appears in no log, task argument, dead letter, status output or
Sentry event. And no request, however its shop is written, leaves for a host other than the shop's own.

The token has no ``shpat_`` prefix, so the pattern-based redaction cannot hide a leak: the only way
for the test to pass is that the token never gets there (or is redacted as a known secret).
"""

import asyncio
import base64
import json
import secrets
import threading
import urllib.request

import pytest
import redis
from aiohttp import web

from tests.conftest import TEST_REDIS_URL
from tests.integration.conftest import (
    enqueue_from_producer,
    free_port,
    point_shop_at,
    start_serve,
    wait_until,
)

pytestmark = pytest.mark.integration

MAPPING = [
    {"mapping_type": "standard", "from": "email", "to": "email"},
    {"mapping_type": "standard", "from": "first", "to": "firstName"},
]


def http(method, url, bearer, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Authorization": f"Bearer {bearer}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read().decode()


def broker_messages(shops):
    """The raw messages waiting in the shops' Celery queues, with their bodies decoded."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    found = []
    for shop in shops:
        for raw in client.lrange(f"shopify.{shop}", 0, -1):
            message = json.loads(raw)
            found.append(raw.decode())
            found.append(base64.b64decode(message["body"]).decode())
            found.append(json.dumps(message["headers"]))
    return found


def redis_dump(prefix):
    """Every value under the deployment's key prefix, as text."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    out = []
    for key in client.scan_iter(f"{prefix}:*"):
        kind = client.type(key).decode()
        value = {
            "string": lambda k: client.get(k),
            "hash": lambda k: client.hgetall(k),
            "list": lambda k: client.lrange(k, 0, -1),
            "set": lambda k: client.smembers(k),
            "zset": lambda k: client.zrange(k, 0, -1),
        }.get(kind, lambda k: b"")(key)
        out.append(f"{key!r} {value!r}")
    return out


def test_a_known_token_appears_nowhere(sentry_sink, broken_upstream, deployment):
    token = f"known-{secrets.token_hex(16)}"
    bearer = secrets.token_urlsafe(24)
    shop = deployment.add_shop(token=token)
    crashing = deployment.add_shop(token=token)
    point_shop_at(deployment, crashing, broken_upstream)
    deployment.extra_env.update(
        SHOPIFY_SYNC_LOG_FORMAT="json",
        SHOPIFY_SYNC_LOG_LEVEL="DEBUG",
        SHOPIFY_SYNC_SENTRY_DSN=sentry_sink.dsn,
    )

    # Producers first, with no worker running, so the broker still holds every message.
    base = start_serve(deployment, bearer)
    records = [{"fields": {"email": f"s{i}@example.com", "firstName": "Ada"}} for i in range(12)]
    records.append({"fields": {"email": "broken", "firstName": "Bad"}})
    # Queued answers: no worker runs yet, so a settled answer would wait for its deadline.
    url = f"{base}/shops/{shop}/customers/syncs/secret-http?answer=queued"
    intake = http("POST", url, bearer, {"records": records})
    enqueue_from_producer(deployment, crashing, "secret-crash", [{"email": "crash@example.com"}])
    queued = broker_messages([shop, crashing])
    assert queued and any("'customers'" in m for m in queued)

    deployment.start_worker(concurrency=2)
    code, report = deployment.sync(
        shop,
        [{"id": "x1", "email": "cli@example.com", "first": "Bo"}, {"id": "x2", "email": "nope"}],
        MAPPING,
        "--primary-key",
        "id",
    )
    assert code == 1 and report["synced"] == 1 and report["dead_lettered"] == 1, report

    def settled():
        status = json.loads(http("GET", f"{base}/syncs/secret-http", bearer))
        return status["finished"]

    assert wait_until(settled, timeout=60, interval=0.5)
    assert wait_until(
        lambda: any(e.get("tags", {}).get("sync_id") == "secret-crash" for e in sentry_sink.events()),
        timeout=60,
        interval=0.5,
    )

    outputs = {
        "intake answer": intake,
        "http status": http("GET", f"{base}/syncs/secret-http", bearer),
        "sync report": json.dumps(report),
        "cli status": deployment.cli("status", report["sync_id"], "--json").stdout,
        "cli status http sync": deployment.cli("status", "secret-http", "--json").stdout,
        "dlq list": deployment.cli("dlq", "list", "--json").stdout,
        "broker messages": "\n".join(queued),
        "redis": "\n".join(redis_dump(deployment.prefix)),
        "sentry": "\n".join(sentry_sink.raw),
    }
    for path in sorted(deployment.tmp.glob("*.log")) + sorted(deployment.tmp.glob("*.out")):
        outputs[path.name] = path.read_text(encoding="utf-8", errors="replace")
    for path in sorted((deployment.tmp / "out").rglob("*")):
        if path.is_file():
            outputs[str(path)] = path.read_text(encoding="utf-8", errors="replace")

    assert json.loads(outputs["dlq list"].splitlines()[0])["reason"]["category"] == "validation"
    worker_log = "".join(text for name, text in outputs.items() if name.startswith("worker-"))
    assert "secret-crash" in outputs["sentry"] and worker_log
    for name, text in outputs.items():
        assert token not in text, f"the token leaked into {name}"
        assert bearer not in text, f"the bearer token leaked into {name}"

    # The worker's production log: one JSON object per line, with the record's context.
    lines = [json.loads(line) for line in worker_log.splitlines() if line.startswith("{")]
    synced = [line for line in lines if line.get("outcome") == "synced"]
    assert synced, worker_log[:2000]
    assert all(
        {"time", "level", "logger", "shop", "sync_id", "record", "gid"} <= set(line) for line in synced
    )
    dead = [line for line in lines if line.get("outcome") == "dead_lettered"]
    assert not dead or all(line["category"] for line in dead)


def test_requests_only_go_to_the_configured_host(deployment, simulator):
    """The shop's host answers with a redirect: the token goes to that host only, never to the target."""
    seen = {"redirector": [], "target": []}

    async def redirector(request):
        seen["redirector"].append(request.headers.get("X-Shopify-Access-Token"))
        raise web.HTTPTemporaryRedirect(f"http://127.0.0.1:{target_port}/steal")

    async def target(request):
        seen["target"].append(dict(request.headers))
        return web.json_response({})

    redirect_port, target_port = free_port(), free_port()
    loop = asyncio.new_event_loop()
    runners = []
    for port, handler in ((redirect_port, redirector), (target_port, target)):
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        runners.append(runner)
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        shop = deployment.add_shop()
        point_shop_at(deployment, shop, f"http://127.0.0.1:{redirect_port}")
        deployment.start_worker(concurrency=1)
        code, report = deployment.sync(
            shop, [{"id": "r1", "email": "r@example.com", "first": "A"}], MAPPING, "--primary-key", "id"
        )
        assert report["synced"] == 0 and code == 1
        assert seen["redirector"] and set(seen["redirector"]) == {deployment.shops[shop]}
        assert seen["target"] == []
    finally:
        for runner in runners:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=15)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
