"""The HTTP producer in-process (fakeredis, a recording enqueue): auth, bodies, intake, status, health."""

import asyncio
import json
import logging
import os
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from producers.http import create_app
from producers.http.handlers import Producer
from producers.pipeline import RecordPipeline
from settings import ShopConfig, ShopsConfig
from worker.contract.keys import Keys

BEARER = "test-bearer-token-0123456789"
AUTH = {"Authorization": f"Bearer {BEARER}"}
URL = "/shops/acme/customers/syncs/nightly"


class Harness:
    def __init__(self, client, *, max_body_bytes=4096):
        self.sent = []
        keys = Keys("unit-http")

        def enqueue(shop, sync_id, resource, records):
            self.sent.append((shop, sync_id, resource, records))
            return f"task-{len(self.sent)}"

        shops = ShopsConfig(Path("shops.toml"), [ShopConfig(shop_name="acme", access_token="shpat_unit")])
        self.producer = Producer(
            shops=shops,
            client=client,
            pipeline=RecordPipeline(client, keys, batch_size=3, enqueue=enqueue),
            max_body_bytes=max_body_bytes,
        )

    def run(self, scenario):
        async def main():
            async with TestClient(TestServer(create_app(self.producer, bearer_token=BEARER))) as client:
                return await scenario(client)

        return asyncio.run(main())


async def call(client, method, path, *, headers=AUTH, body=None, data=None):
    kwargs = {"headers": headers}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    if data is not None:
        kwargs["data"] = data
    async with client.request(method, path, **kwargs) as response:
        text = await response.text()
        return response.status, json.loads(text) if text else None, response.headers


def records(*fields):
    return {"records": [{"fields": f} for f in fields]}


@pytest.fixture
def harness(fake_redis):
    return Harness(fake_redis)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": BEARER},
        {"Authorization": f"Basic {BEARER}"},
    ],
)
def test_requests_without_the_bearer_token_are_refused(harness, headers):
    status, body, answer_headers = harness.run(lambda c: call(c, "POST", URL, headers=headers, body={}))
    assert status == 401 and body == {"error": "missing or wrong bearer token"}
    assert answer_headers["WWW-Authenticate"].startswith("Bearer")
    status, _, _ = harness.run(lambda c: call(c, "GET", "/syncs/nightly", headers=headers))
    assert status == 401


def test_multiwovens_connection_check_gets_200(harness):
    status, body, _ = harness.run(lambda c: call(c, "POST", URL, body={}))
    assert status == 200
    assert body == {"status": "ok", "shop": "acme", "resource": "customers", "sync_id": "nightly"}
    assert harness.sent == []


def test_records_are_validated_and_enqueued_in_batches(harness):
    good = [{"email": f"u{i}@example.com", "firstName": "Ada"} for i in range(7)]
    payload = records(*good, {"email": "not-an-email"})
    # Multiwoven's Net::HTTP sends its JSON body without a JSON content type.
    status, body, _ = harness.run(
        lambda c: call(
            c,
            "POST",
            URL,
            data=json.dumps(payload),
            headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"},
        )
    )
    assert status == 200
    assert (body["accepted"], body["dead_lettered"], body["duplicates"]) == (7, 1, 0)
    assert body["invalid"][0]["field"] == "email" and body["invalid"][0]["category"] == "validation"
    assert body["status_url"] == "/syncs/nightly"
    assert [len(batch[3]) for batch in harness.sent] == [3, 3, 1]
    assert {batch[:3] for batch in harness.sent} == {("acme", "nightly", "customers")}
    assert [r["payload"] for batch in harness.sent for r in batch[3]] == good


def test_the_same_records_sent_twice_are_taken_once(harness):
    payload = records({"email": "a@example.com"}, {"email": "b@example.com"})

    async def twice(client):
        first = await call(client, "POST", URL, body=payload)
        second = await call(client, "POST", URL, body=payload)
        changed = await call(client, "POST", URL, body=records({"email": "a@example.com", "note": "new"}))
        return first, second, changed

    first, second, changed = harness.run(twice)
    assert first[1]["accepted"] == 2
    assert (second[0], second[1]["accepted"], second[1]["duplicates"]) == (200, 0, 2)
    assert changed[1]["accepted"] == 1  # changed content is a new record
    assert harness.producer.pipeline.tracker.counts("nightly").total == 3


def test_key_field_makes_readable_record_keys(harness):
    harness.run(lambda c: call(c, "POST", URL + "?key=email", body=records({"email": "a@example.com"})))
    [(_, _, _, [record])] = harness.sent
    assert record["key"].startswith("a@example.com#")


def test_a_chunk_with_nothing_writable_is_422(harness):
    status, body, _ = harness.run(lambda c: call(c, "POST", URL, body=records({"email": "x"}, {"bogus": 1})))
    assert status == 422
    assert body["dead_lettered"] == 2 and body["accepted"] == 0
    assert {i["field"] for i in body["invalid"]} == {"email", "bogus"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"records": [', "malformed JSON"),
        (b"\xff\xfe", "malformed JSON"),
        (b"[1, 2]", "body must be a JSON object"),
        (b'{"records": {}}', '"records" must be a list'),
        (b'{"records": [{"email": "a@example.com"}]}', 'records[0] must be an object with a "fields" object'),
        (b'{"records": [{"fields": []}]}', "records[0]"),
    ],
)
def test_malformed_bodies_are_400_with_the_reason(harness, data, reason):
    status, body, _ = harness.run(lambda c: call(c, "POST", URL, data=data))
    assert status == 400 and body["error"].startswith(reason)
    assert harness.sent == []


def test_oversized_bodies_are_413(harness):
    big = records(*[{"email": f"user{i}@example.com", "note": "x" * 200} for i in range(40)])
    status, body, _ = harness.run(lambda c: call(c, "POST", URL, body=big))
    assert status == 413 and "limit 4096" in body["error"]

    async def chunked(client):
        async def stream():
            for _ in range(10):
                yield b" " * 1000

        async with client.post(URL, data=stream(), headers=AUTH) as response:
            return response.status, await response.json()

    status, body = harness.run(chunked)
    assert status == 413 and "4096" in body["error"]
    assert harness.sent == []


def test_too_many_records_is_400(fake_redis):
    harness = Harness(fake_redis, max_body_bytes=1024 * 1024)
    status, body, _ = harness.run(lambda c: call(c, "POST", URL, body=records(*[{}] * 1001)))
    assert status == 400 and "too many records" in body["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/shops/globex/customers/syncs/s1",
        "/shops/evil.com/customers/syncs/s1",
        "/shops/acme.myshopify.com.evil.com/customers/syncs/s1",
        "/shops/acme%40evil.com/customers/syncs/s1",
        "/shops/%2e%2e/customers/syncs/s1",
        "/shops/acme/widgets/syncs/s1",
    ],
)
def test_unknown_or_crafted_targets_are_404_and_nothing_is_enqueued(harness, path):
    status, body, _ = harness.run(lambda c: call(c, "POST", path, body=records({"email": "a@example.com"})))
    assert status == 404 and body["error"]
    assert harness.sent == []


def test_sync_id_from_the_header_or_missing(harness):
    url = "/shops/ACME.myshopify.com/customers"
    status, body, _ = harness.run(
        lambda c: call(c, "POST", url, body={}, headers={**AUTH, "X-Sync-Id": "from-header"})
    )
    assert (status, body["sync_id"], body["shop"]) == (200, "from-header", "acme")
    status, body, _ = harness.run(lambda c: call(c, "POST", url, body={}))
    assert status == 400 and "X-Sync-Id" in body["error"]
    status, body, _ = harness.run(lambda c: call(c, "POST", "/shops/acme/customers/syncs/bad id!", body={}))
    assert status == 400


def test_status_reports_counts_and_dead_letters(harness):
    async def scenario(client):
        await call(client, "POST", URL, body=records({"email": "a@example.com"}, {"email": "nope"}))
        return await call(client, "GET", "/syncs/nightly"), await call(client, "GET", "/syncs/unknown")

    (status, body, _), (missing, _, _) = harness.run(scenario)
    assert status == 200 and missing == 404
    assert (body["shop"], body["resource"], body["sync_id"]) == ("acme", "customers", "nightly")
    assert (body["total"], body["dead_lettered"], body["pending"], body["finished"]) == (2, 1, 1, False)
    assert body["dead_letters_total"] == 1
    [letter] = body["dead_letters"]
    assert letter["category"] == "validation" and letter["field"] == "email" and letter["message"]


def test_health_needs_no_token(harness):
    status, body, _ = harness.run(lambda c: call(c, "GET", "/healthz", headers={}))
    assert (status, body) == (200, {"status": "ok", "redis": "ok"})


def test_unknown_routes_answer_json(harness):
    status, body, _ = harness.run(lambda c: call(c, "GET", "/nope"))
    assert status == 404 and "error" in body
    status, body, _ = harness.run(lambda c: call(c, "GET", URL))
    assert status == 405 and "error" in body


def test_serve_refuses_to_start_without_a_bearer_token(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from producers.cli import app

    for name in [n for n in os.environ if n.startswith("SHOPIFY_SYNC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SHOPIFY_SYNC_SHOPS_FILE", str(tmp_path / "shops.toml"))
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        result = CliRunner().invoke(app, ["serve", "--port", "0"])
    finally:
        root.handlers[:], root.level = handlers, level
    assert result.exit_code == 2
    assert "SHOPIFY_SYNC_HTTP_BEARER_TOKEN is not set" in result.output
