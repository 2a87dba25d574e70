"""Errors from a worker and from the HTTP producer reach Sentry (a local envelope endpoint), tagged, scrubbed.

The worker's error is real: the shop's upstream answers bytes that are not UTF-8, so the GraphQL client
crashes with the access token in its frame's local variables; the scrubbing has to take it out.
"""

import json
import secrets
import sys
import urllib.error
import urllib.request

import pytest

from tests.integration.conftest import (
    enqueue_from_producer,
    free_port,
    point_shop_at,
    start_process,
    wait_until,
)

pytestmark = pytest.mark.integration


def test_worker_errors_reach_sentry_tagged_and_without_the_token(sentry_sink, broken_upstream, deployment):
    token = f"plain-{secrets.token_hex(12)}"  # no shpat_ prefix: only the literal scrubbing can catch it
    shop = deployment.add_shop(token=token)
    point_shop_at(deployment, shop, broken_upstream)
    deployment.extra_env["SHOPIFY_SYNC_SENTRY_DSN"] = sentry_sink.dsn
    deployment.start_worker(concurrency=1)
    sync_id = f"sentry-{secrets.token_hex(4)}"
    enqueue_from_producer(deployment, shop, sync_id, [{"email": "sentry@example.com"}])

    def tagged():
        return [e for e in sentry_sink.events() if (e.get("tags") or {}).get("sync_id") == sync_id]

    assert wait_until(lambda: len(tagged()) >= 2, timeout=60, interval=0.5), sentry_sink.raw
    events = tagged()
    for event in events:
        tags = event["tags"]
        assert (tags["shop"], tags["resource"], tags["component"]) == (shop, "customers", "worker")
    exceptions = [v["type"] for e in events for v in (e.get("exception") or {}).get("values", [])]
    assert "UnicodeDecodeError" in exceptions
    frames = [
        f
        for e in events
        for v in e["exception"]["values"]
        for f in (v.get("stacktrace") or {}).get("frames", [])
    ]
    assert any(f.get("function") == "_post" and "vars" in f for f in frames)  # locals were sent, and scrubbed
    everything = "".join(sentry_sink.raw)
    assert token not in everything
    assert "[redacted]" in everything


def test_http_producer_errors_reach_sentry_tagged_and_scrubbed(sentry_sink, deployment):
    shop = deployment.add_shop()
    bearer = secrets.token_urlsafe(24)
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    port = free_port()
    start_process(
        deployment,
        [sys.executable, "-m", "producers", "serve", "--port", str(port)],
        "serve",
        SHOPIFY_SYNC_HTTP_BEARER_TOKEN=bearer,
        SHOPIFY_SYNC_SENTRY_DSN=sentry_sink.dsn,
        SHOPIFY_SYNC_REDIS_URL=dead_redis,
    )
    base = f"http://127.0.0.1:{port}"

    def health():
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None
        return 200

    assert wait_until(lambda: health() == 503, timeout=30), (deployment.tmp / "serve.log").read_text()
    request = urllib.request.Request(
        f"{base}/shops/{shop}/customers/syncs/http-sentry",
        data=json.dumps({"records": [{"fields": {"email": "a@example.com"}}]}).encode(),
        headers={"Authorization": f"Bearer {bearer}"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=30)
    assert info.value.code == 503
    assert json.loads(info.value.read())["error"].startswith("cannot reach Redis")

    def tagged():
        return [e for e in sentry_sink.events() if (e.get("tags") or {}).get("sync_id") == "http-sentry"]

    assert wait_until(lambda: tagged(), timeout=30, interval=0.5), sentry_sink.raw
    [event] = tagged()
    assert (event["tags"]["shop"], event["tags"]["resource"], event["tags"]["component"]) == (
        shop,
        "customers",
        "http",
    )
    assert event["request"]["url"].endswith("/syncs/http-sentry")
    everything = "".join(sentry_sink.raw)
    assert bearer not in everything
    assert deployment.shops[shop] not in everything
    assert "a@example.com" not in json.dumps(event.get("request", {}))  # no request body sent
