"""The HTTP producer in-process (fakeredis, a recording enqueue): auth, bodies, intake, status, health."""

import asyncio
import json
import logging
import os
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from producers.http import create_app
from producers.http.coalesce import Coalescer
from producers.http.handlers import Producer
from producers.http.staging import Staging
from producers.pipeline import RecordPipeline, Submission, Target
from producers.records import validator
from settings import ShopConfig, ShopsConfig
from worker.contract.deadletters import DeadLetterStore, Reason
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.recorder import OutcomeRecorder
from worker.contract.tracking import SyncTracker

BEARER = "test-bearer-token-0123456789"
AUTH = {"Authorization": f"Bearer {BEARER}"}
URL = "/shops/acme/customers/syncs/nightly"


class Harness:
    """The app over fakeredis; ``worker`` (if given) plays the worker on each enqueued batch at once."""

    def __init__(
        self,
        client,
        *,
        max_body_bytes=4096,
        answer_mode="queued",
        worker=None,
        deadline_s=5.0,
        linger_s=0.0,
        batch_size=3,
        undo_quotes=True,
        shop_undo_quotes=None,
    ):
        self.sent = []
        keys = Keys("unit-http")

        def enqueue(shop, sync_id, resource, records):
            self.sent.append((shop, sync_id, resource, records))
            if worker is not None:
                recorder = OutcomeRecorder(
                    SyncTracker(client, keys), DeadLetterStore(client, keys),
                    shop=shop, sync_id=sync_id, resource=resource,
                )  # fmt: skip
                worker(recorder, [RecordEnvelope.from_dict(r) for r in records])
            return f"task-{len(self.sent)}"

        shop = ShopConfig(
            shop_name="acme", access_token="shpat_unit", multiwoven_undo_quotes=shop_undo_quotes
        )
        shops = ShopsConfig(Path("shops.toml"), [shop])
        pipeline = RecordPipeline(client, keys, batch_size=batch_size, enqueue=enqueue)
        self.producer = Producer(
            shops=shops,
            client=client,
            pipeline=pipeline,
            coalescer=Coalescer(
                pipeline,
                validator,
                Staging(client, keys, pipeline.publisher.publish, batch_size=batch_size),
                batch_size=batch_size,
                linger_s=linger_s,
            ),
            max_body_bytes=max_body_bytes,
            answer_mode=answer_mode,
            deadline_s=deadline_s,
            undo_quotes_default=undo_quotes,
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


def scripted_worker(recorder, records):
    """Synced with a gid, or refused like Shopify refuses a taken email; ``slow@`` stays pending."""
    for record in records:
        email = record.payload.get("email", "")
        if email.startswith("taken"):
            reason = Reason(
                category="user_error", field="email", message="Email has already been taken", code="TAKEN"
            )
            recorder.dead_letter(record, reason)
        elif email.startswith("paused"):
            recorder.paused(record, "auth: token revoked")
        elif not email.startswith("slow"):
            recorder.synced([(record, f"gid://shopify/Customer/{abs(hash(email)) % 1000}")], "req-1")


def settled(fake_redis, **options):
    return Harness(fake_redis, answer_mode="settled", worker=scripted_worker, **options)


@pytest.mark.parametrize(
    ("email", "status", "state"),
    [
        ("ada@example.com", 200, "synced"),
        ("taken@example.com", 422, "dead_lettered"),
        ("not-an-email", 422, "dead_lettered"),
        ("paused@example.com", 503, "paused"),
        ("slow@example.com", 504, "pending"),
    ],
)
def test_settled_answers_tell_each_records_outcome(fake_redis, email, status, state):
    harness = settled(fake_redis, deadline_s=0.3)
    got, body, _ = harness.run(lambda c: call(c, "POST", URL, body=records({"email": email})))
    assert (got, body["state"]) == (status, state)
    [entry] = body["records"]
    assert entry["state"] == state
    if state == "synced":
        assert body["gid"].startswith("gid://shopify/Customer/")
    if email.startswith("taken"):
        assert (body["field"], body["code"], body["message"]) == (
            "email",
            "TAKEN",
            "Email has already been taken",
        )
    if email == "not-an-email":
        assert body["field"] == "email" and body["category"] == "validation" and harness.sent == []


def test_a_record_never_gets_a_2xx_before_it_is_settled(fake_redis):
    """Queued on request: 200 at once; settled (the default): nothing 2xx for a record still pending."""
    harness = settled(fake_redis, deadline_s=0.2)
    slow = records({"email": "slow@example.com"})
    got, body, _ = harness.run(lambda c: call(c, "POST", URL, body=slow))
    assert got == 504 and body["state"] == "pending"
    got, body, _ = harness.run(
        lambda c: call(c, "POST", URL + "?answer=queued", body=records({"email": "s2@x.io"}))
    )
    assert got == 200 and body["accepted"] == 1
    got, body, _ = harness.run(lambda c: call(c, "POST", URL + "?answer=later", body=slow))
    assert got == 400 and "answer must be one of" in body["error"]


def test_a_mixed_request_is_failed_when_one_record_is_dead_lettered(fake_redis):
    harness = settled(fake_redis)
    payload = records({"email": "ok@example.com"}, {"email": "taken@example.com"})
    got, body, _ = harness.run(lambda c: call(c, "POST", URL, body=payload))
    assert got == 422
    assert [r["state"] for r in body["records"]] == ["synced", "dead_lettered"]


def test_a_repeated_record_gets_its_earlier_outcome(fake_redis):
    harness = settled(fake_redis)

    async def twice(client):
        payload = records({"email": "taken@example.com"})
        return await call(client, "POST", URL, body=payload), await call(client, "POST", URL, body=payload)

    first, second = harness.run(twice)
    assert first[0] == second[0] == 422 and len(harness.sent) == 1


@pytest.mark.parametrize("mode", ["settled", "queued"])
def test_concurrent_single_record_requests_share_one_batch(fake_redis, mode):
    harness = Harness(fake_redis, answer_mode=mode, worker=scripted_worker, linger_s=0.05, batch_size=25)

    async def ten_threads(client):
        return await asyncio.gather(
            *[call(client, "POST", URL, body=records({"email": f"u{i}@example.com"})) for i in range(10)]
        )

    answers = harness.run(ten_threads)
    assert [status for status, _, _ in answers] == [200] * 10
    assert [len(batch[3]) for batch in harness.sent] == [10]
    if mode == "settled":
        gids = {body["gid"] for _, body, _ in answers}
        emails = {body["record"] for _, body, _ in answers}
        assert len(emails) == 10 and all(g.startswith("gid://shopify/Customer/") for g in gids)


def test_a_full_batch_goes_without_waiting_for_the_linger(fake_redis):
    harness = Harness(fake_redis, linger_s=30.0, batch_size=2)

    async def two(client):
        return await asyncio.wait_for(
            asyncio.gather(
                *[call(client, "POST", URL, body=records({"email": f"f{i}@x.io"})) for i in range(2)]
            ),
            timeout=5,
        )

    assert [a[0] for a in harness.run(two)] == [200, 200]
    assert [len(batch[3]) for batch in harness.sent] == [2]


@pytest.mark.parametrize(
    ("server", "shop", "sent", "written"),
    [
        (True, None, "O''Brien", "O'Brien"),
        (False, None, "O''Brien", "O''Brien"),
        (False, True, "O''Brien", "O'Brien"),
        (True, False, "O''Brien", "O''Brien"),
    ],
)
def test_multiwovens_quote_doubling_is_undone_per_server_or_shop(fake_redis, server, shop, sent, written):
    harness = Harness(fake_redis, undo_quotes=server, shop_undo_quotes=shop)
    payload = records(
        {"email": "ob@example.com", "lastName": sent, "addresses": [{"address1": "1 Bishop''s Rd"}]}
    )
    assert harness.run(lambda c: call(c, "POST", URL, body=payload))[0] == 200
    [(_, _, _, [record])] = harness.sent
    assert record["payload"]["lastName"] == written
    undone = written == "O'Brien"
    assert record["payload"]["addresses"][0]["address1"] == ("1 Bishop's Rd" if undone else "1 Bishop''s Rd")


def test_queued_answers_pack_more_records_than_multiwoven_has_threads(fake_redis):
    """10 threads, 30 records: answered once staged, enqueued as full batches of 25 (not 10 at a time)."""
    harness = Harness(fake_redis, answer_mode="queued", linger_s=0.01, batch_size=25)

    async def ten_threads(client):
        gate = asyncio.Semaphore(10)

        async def one(i):
            async with gate:
                return await call(client, "POST", URL, body=records({"email": f"q{i}@example.com"}))

        answers = await asyncio.gather(*[one(i) for i in range(30)])
        return answers, [len(batch[3]) for batch in harness.sent]

    answers, sent_while_serving = harness.run(ten_threads)
    assert [status for status, _, _ in answers] == [200] * 30
    assert sent_while_serving == [25]  # the last 5 wait for the flush interval (or the shutdown)
    assert [len(batch[3]) for batch in harness.sent] == [25, 5]


def stage(fake_redis, keys, sent, *, fail=False, batch_size=3):
    def publish(target, records):
        if fail:
            raise ConnectionError("broker away")
        sent.append((target, [r.key for r in records]))

    return Staging(fake_redis, keys, publish, batch_size=batch_size)


def test_staged_records_outlive_the_process_that_staged_them(fake_redis):
    keys, target, sent = Keys("unit-stage"), Target("acme", "customers", "s1"), []
    envelopes = [RecordEnvelope(key=f"k{i}", payload={"email": f"k{i}@x.io"}, source={}) for i in range(2)]
    stage(fake_redis, keys, sent).stage(target, Submission(accepted=envelopes))
    assert sent == []  # not a full batch: kept in Redis
    assert stage(fake_redis, keys, sent).flush_all() == 2  # another serve process finds them
    assert sent == [(target, ["k0", "k1"])]
    assert fake_redis.smembers(keys.staged_index) == set()


def test_staged_records_stay_when_enqueueing_fails_or_another_process_holds_the_list(fake_redis):
    keys, target, sent = Keys("unit-stage"), Target("acme", "customers", "s2"), []
    envelopes = [RecordEnvelope(key=f"k{i}", payload={}, source={}) for i in range(4)]
    stage(fake_redis, keys, sent, fail=True).stage(target, Submission(accepted=envelopes))  # full: tried
    assert fake_redis.llen(keys.staged("acme", "customers", "s2")) == 4
    fake_redis.set(keys.staged_lock("acme", "customers", "s2"), "other", ex=30)
    assert stage(fake_redis, keys, sent).flush(target) == 0
    fake_redis.delete(keys.staged_lock("acme", "customers", "s2"))
    assert stage(fake_redis, keys, sent).flush_all() == 4
    assert [len(batch) for _, batch in sent] == [3, 1]
