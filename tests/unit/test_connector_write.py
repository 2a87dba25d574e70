"""write and the record pipeline's intake, on fakeredis with a scripted worker: a tracking message always."""

import json

import pytest

from producers.connector import write
from producers.connector.keying import content_digest, keyed
from producers.connector.write import WriteRejectedError, execute, plan_write
from producers.pipeline import RecordPipeline, Target
from producers.pipeline.recovery import LostTaskWatch
from producers.records import validator
from settings import AppSettings
from worker.contract.deadletters import DeadLetterStore
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.tracking import SyncTracker
from worker.resources import RESOURCES

TOKEN = "shpat_write_token_0001"


def sync_config(**overrides):
    config = {
        "source": {"name": "warehouse", "type": "source", "connection_specification": {}},
        "destination": {
            "name": "Shopify",
            "type": "destination",
            "connection_specification": {"shop_name": "acme", "access_token": TOKEN},
        },
        "model": {"name": "customers", "query": "select *", "query_type": "raw_sql", "primary_key": "email"},
        "stream": {"name": "customers", "json_schema": {}, "batch_support": False, "batch_size": 1},
        "sync_mode": "incremental",
        "destination_sync_mode": "insert",
        "sync_id": "42",
    }
    config.update(overrides)
    return config


class ScriptedWorker:
    """Stands in for Celery: records each enqueued batch and settles its records as told."""

    def __init__(self, client, keys, settle):
        self.tracker = SyncTracker(client, keys)
        self.settle = settle
        self.batches = []

    def __call__(self, shop, sync_id, resource, records):
        self.batches.append((shop, sync_id, resource, [r["key"] for r in records]))
        for record in records:
            outcome = self.settle(record)
            if outcome is not None:
                state, detail = outcome
                self.tracker.mark(sync_id, record["key"], state, **detail)
        return f"task-{len(self.batches)}"


@pytest.fixture
def keys():
    return Keys("unit-write")


def run(fake_redis, keys, records, settle, *, timeout_s=1.0, batch_size=2, action="destination_insert"):
    worker = ScriptedWorker(fake_redis, keys, settle)
    plan = plan_write(sync_config(), records, action)
    message = execute(
        fake_redis, keys, plan, batch_size=batch_size, timeout_s=timeout_s, enqueue=worker, poll_s=0.01
    )
    return message.to_dict(), worker, plan


def logs_of(message):
    return [json.loads(log["message"]) for log in message["tracking"]["logs"]]


def test_every_record_gets_a_log_in_multiwovens_format(fake_redis, keys):
    records = [
        {"email": "a@example.com", "firstName": "Ada"},
        {"email": "b@example.com"},
        {"email": "not-an-email"},
        {"email": "taken@example.com"},
    ]

    def settle(record):
        if record["payload"]["email"].startswith("taken"):
            reason = {
                "category": "user_error",
                "field": "input.email",
                "message": "Email has already been taken",
            }
            return "dead_lettered", {"reason": reason}
        return "synced", {"gid": f"gid://shopify/Customer/{len(record['payload']['email'])}"}

    message, worker, plan = run(fake_redis, keys, records, settle)
    tracking = message["tracking"]
    assert (tracking["success"], tracking["failed"]) == (2, 2)
    assert tracking["meta"]["tracking_id"] == plan.tracking_id
    keys_sent = [(batch[:3], [key.split("#")[0] for key in batch[3]]) for batch in worker.batches]
    assert keys_sent == [
        (("acme", plan.tracking_id, "customers"), ["a@example.com", "b@example.com"]),
        (("acme", plan.tracking_id, "customers"), ["taken@example.com"]),
    ]  # the invalid record never leaves the producer
    assert [log["level"] for log in tracking["logs"]] == ["info", "info", "error", "error"]
    assert all(log["name"] == "shopify_sync.connector" for log in tracking["logs"])
    first, _, invalid, taken = logs_of(message)
    assert set(first) == {"request", "response", "level"}
    assert json.loads(first["response"]) == {"state": "synced", "gid": "gid://shopify/Customer/13"}
    request = json.loads(first["request"])
    assert request == {
        "mutation": "customerSet",
        "action": "destination_insert",
        "record": f"a@example.com#{content_digest(records[0])[:12]}",
        "payload": records[0],
    }
    assert json.loads(invalid["response"])["reason"]["field"] == "email"
    assert json.loads(taken["response"])["reason"]["message"] == "Email has already been taken"
    letters = {e.record_key for e in DeadLetterStore(fake_redis, keys).iter(sync_id=plan.tracking_id)}
    assert [key.split("#")[0] for key in letters] == ["not-an-email"]


def test_unsettled_records_fail_with_how_to_follow_them(fake_redis, keys):
    message, _, plan = run(fake_redis, keys, [{"email": "a@example.com"}], lambda r: None, timeout_s=0.2)
    assert (message["tracking"]["success"], message["tracking"]["failed"]) == (0, 1)
    [log] = logs_of(message)
    response = json.loads(log["response"])
    assert response["state"] == "pending"
    assert f"shopify-sync status {plan.tracking_id}" in response["message"]


def test_paused_records_say_so(fake_redis, keys):
    message, _, _ = run(
        fake_redis, keys, [{"email": "a@example.com"}], lambda r: ("paused", {"reason": "invalid_token"})
    )
    [log] = logs_of(message)
    assert json.loads(log["response"])["state"] == "paused"
    assert "shops resume" in json.loads(log["response"])["message"]


def test_a_run_shares_one_tracking_id_and_a_repeat_is_not_written_twice(fake_redis, keys):
    settle = lambda r: ("synced", {"gid": "gid://shopify/Customer/1"})  # noqa: E731
    config = sync_config(sync_run_id="7")
    calls = []
    for records in ([{"email": "a@example.com"}], [{"email": "b@example.com"}], [{"email": "a@example.com"}]):
        worker = ScriptedWorker(fake_redis, keys, settle)
        plan = plan_write(config, records, "destination_insert")
        message = execute(fake_redis, keys, plan, batch_size=5, timeout_s=1, enqueue=worker, poll_s=0.01)
        calls.append((plan.tracking_id, message.to_dict()["tracking"]["success"], len(worker.batches)))
    assert calls == [
        ("mw-42-7", 1, 1),
        ("mw-42-7", 1, 1),
        ("mw-42-7", 1, 0),
    ]  # the repeat: its outcome, no task
    assert SyncTracker(fake_redis, keys).counts("mw-42-7").total == 2


def test_without_a_run_id_each_call_is_its_own_run(fake_redis, keys):
    settle = lambda r: ("synced", {"gid": "gid://shopify/Customer/1"})  # noqa: E731
    first, _, _ = run(fake_redis, keys, [{"email": "a@example.com"}], settle)
    again, worker, _ = run(fake_redis, keys, [{"email": "a@example.com"}], settle)
    assert first["tracking"]["meta"]["tracking_id"] != again["tracking"]["meta"]["tracking_id"]
    assert again["tracking"]["success"] == 1 and worker.batches  # written again, not skipped


def test_records_of_a_lost_task_are_sent_again_while_the_call_waits(fake_redis, keys):
    records = [{"email": f"u{i}@example.com"} for i in range(5)]
    lost_first_batch = []

    def settle(record):
        if len(worker.batches) == 1:  # the broker lost the first task: nobody runs it
            lost_first_batch.append(record["key"])
            return None
        return "synced", {"gid": "gid://shopify/Customer/1"}

    worker = ScriptedWorker(fake_redis, keys, settle)
    plan = plan_write(sync_config(), records, "destination_insert")
    watch = LostTaskWatch(fake_redis, "acme", quiet_s=0.05, confirm_s=0.02)
    message = execute(
        fake_redis, keys, plan, batch_size=2, timeout_s=5, enqueue=worker, poll_s=0.01, lost_watch=watch
    ).to_dict()

    assert message["tracking"]["success"] == 5
    assert len(lost_first_batch) == 2
    assert worker.batches[-1][3] == lost_first_batch  # only the lost records, sent once more


def test_without_a_watch_lost_records_stay_pending(fake_redis, keys):
    message, worker, _ = run(
        fake_redis, keys, [{"email": "u@example.com"}], lambda _record: None, timeout_s=0.3
    )
    assert (message["tracking"]["success"], message["tracking"]["failed"], len(worker.batches)) == (0, 1, 1)


def test_keys_come_from_the_content_and_the_primary_key():
    records = [{"email": "a"}, {"email": "a", "note": "n"}, {"phone": "x"}, {"email": ""}, {"email": "a"}]
    keys = [e.key for e in keyed(records, "email")]
    assert [k.split("#")[0] for k in keys[:2]] == ["a", "a"] and keys[0] != keys[1]
    assert keys[2] == content_digest(records[2]) and len(keys[2]) == 16
    assert keys[4] == keys[0]  # the same content, the same key
    assert [e.key for e in keyed(records, None)][2] == keys[2]


@pytest.mark.parametrize(
    ("config", "records", "action", "message"),
    [
        ({"stream": {"name": "widgets"}}, [{}], "destination_insert", "unknown stream 'widgets'"),
        ({}, [{}], "destination_delete", "unknown action 'destination_delete'"),
        ({}, "not a list", "destination_insert", "records must be a list"),
        (
            {"destination": {"connection_specification": {"shop_name": "evil.com", "access_token": TOKEN}}},
            [{}],
            "destination_insert",
            "invalid connection config: shop_name: invalid shop name",
        ),
        ({"stream": None}, [{}], "destination_insert", "invalid sync_config: stream"),
    ],
)
def test_rejected_calls(config, records, action, message):
    with pytest.raises(WriteRejectedError, match=message):
        plan_write(sync_config(**config), records, action)


def test_write_always_answers_with_a_tracking_message():
    settings = AppSettings(redis_url=None)
    known = ", ".join(RESOURCES)
    bad = write(
        sync_config(stream={"name": "widgets"}),
        [{"email": "a@example.com"}, {"email": "b@example.com"}],
        settings=settings,
    )
    assert bad["type"] == "tracking"
    assert (bad["tracking"]["success"], bad["tracking"]["failed"]) == (0, 2)
    assert len(bad["tracking"]["logs"]) == 2
    response = json.loads(json.loads(bad["tracking"]["logs"][0]["message"])["response"])
    assert response == {
        "state": "rejected",
        "message": f"unknown stream 'widgets'; this connector writes: {known}",
    }
    nothing = write(sync_config(), "oops", settings=settings)
    assert nothing["type"] == "tracking" and nothing["tracking"]["failed"] == 0


def test_redis_mode_needs_the_shop_in_the_workers_shops_file(tmp_path):
    shops = tmp_path / "shops.toml"
    shops.write_text('[[shops]]\nshop_name = "globex"\naccess_token = "shpat_x"\n', encoding="utf-8")
    settings = AppSettings(redis_url="redis://127.0.0.1:1/0", shops_file=shops)
    message = write(sync_config(), [{"email": "a@example.com"}], settings=settings)
    response = json.loads(json.loads(message["tracking"]["logs"][0]["message"])["response"])
    assert "shop 'acme' is not in the workers' shops file" in response["message"]
    assert TOKEN not in json.dumps(message)


def test_redis_down_is_a_tracking_message(tmp_path):
    shops = tmp_path / "shops.toml"
    shops.write_text('[[shops]]\nshop_name = "acme"\naccess_token = "shpat_x"\n', encoding="utf-8")
    settings = AppSettings(redis_url="redis://127.0.0.1:1/0", shops_file=shops)
    message = write(sync_config(), [{"email": "a@example.com"}], settings=settings)
    assert message["tracking"]["failed"] == 1
    assert "cannot reach Redis or the broker" in message["tracking"]["logs"][0]["message"]


def test_intake_drops_repeats_when_asked(fake_redis, keys):
    sent = []
    intake = RecordPipeline(fake_redis, keys, batch_size=10, enqueue=lambda *a: sent.append(a) or "t")
    records = [
        RecordEnvelope(key="k1", payload={"email": "a@example.com"}),
        RecordEnvelope(key="k2", payload={"email": "bad"}),
    ]
    target, check = Target("acme", "customers", "s"), validator("customers")
    first = intake.submit(target, records, validate=check, dedupe=True)
    again = intake.submit(target, records, validate=check, dedupe=True)
    assert (len(first.accepted), len(first.invalid), first.duplicates) == (1, 1, [])
    assert (len(again.accepted), len(again.invalid), again.duplicates) == (0, 0, ["k1", "k2"])
    assert len(sent) == 1
    assert intake.tracker.counts("s").total == 2  # counted once


def test_intake_forgets_what_it_could_not_enqueue(fake_redis, keys):
    def broken(*_):
        raise ConnectionError("broker down")

    intake = RecordPipeline(fake_redis, keys, batch_size=1, enqueue=broken)
    records = [RecordEnvelope(key="k1", payload={"email": "a@example.com"})]
    target, check = Target("acme", "customers", "s"), validator("customers")
    with pytest.raises(ConnectionError):
        intake.submit(target, records, validate=check, dedupe=True)
    assert intake.tracker.counts("s").total == 0
    ok = RecordPipeline(fake_redis, keys, batch_size=1, enqueue=lambda *a: "t")
    assert len(ok.submit(target, records, validate=check, dedupe=True).accepted) == 1


@pytest.mark.parametrize(
    ("server", "in_config", "written"),
    [(True, None, "O'Brien"), (False, None, "O''Brien"), (True, False, "O''Brien"), (False, True, "O'Brien")],
)
def test_multiwovens_quote_doubling_is_undone_unless_switched_off(server, in_config, written):
    config = sync_config()
    if in_config is not None:
        config["destination"]["connection_specification"]["undo_quote_doubling"] = in_config
    plan = plan_write(config, [{"email": "ob@example.com", "lastName": "O''Brien"}], "destination_insert",
                      undo_quotes=server)  # fmt: skip
    [record] = plan.records
    assert record.payload["lastName"] == written


def test_write_lines_answers_each_call_on_its_own_line_over_one_connection(tmp_path, monkeypatch):
    """``write --lines``: one process for many calls; a bad line is answered and the next one still runs."""
    from typer.testing import CliRunner

    from producers.cli import app
    from producers.commands import connector as command

    clients = []

    def fake_write(sync_config, records, action, *, settings, timeout_s, client):
        clients.append(client)
        return {"type": "tracking", "tracking": {"success": len(records), "failed": 0, "logs": []}}

    monkeypatch.setattr(command.connector, "write", fake_write)
    monkeypatch.setenv("SHOPIFY_SYNC_REDIS_URL", "redis://127.0.0.1:1")
    call = json.dumps({"sync_config": sync_config(), "records": [{"email": "a@example.com"}]})
    result = CliRunner().invoke(app, ["write", "--lines"], input=f"{call}\nnot json\n\n{call}\n")
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["type"] for a in answers] == ["tracking"] * 3
    assert [(a["tracking"]["success"], a["tracking"]["failed"]) for a in answers] == [(1, 0), (0, 0), (1, 0)]
    assert "not JSON" in answers[1]["tracking"]["logs"][0]["message"]
    assert len(clients) == 2 and clients[0] is clients[1] and clients[0] is not None
