"""The batch writer against a scripted client: every record ends synced, dead-lettered, deferred or held."""

import asyncio
from collections import deque

import fakeredis
import pytest

from worker.batch import PROBE, BatchWriter
from worker.client import GraphQLResult
from worker.contract.deadletters import DeadLetterStore
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.pauses import ShopPauses
from worker.contract.recorder import OutcomeRecorder
from worker.contract.tracking import SyncTracker
from worker.errors import InvalidTokenError, NetworkError, ServerError, ThrottledError
from worker.gateway import ShopGateway
from worker.ratelimit import ShopLimiter
from worker.resources import get_resource
from worker.retry import RetryPolicy

STATUS = {"maximumAvailable": 2000.0, "currentlyAvailable": 1990.0, "restoreRate": 100.0}


def ok(n):
    return GraphQLResult(
        {"customerSet": {"customer": {"id": f"gid://shopify/Customer/{n}"}, "userErrors": []}},
        f"req-{n}",
        11,
        10,
        STATUS,
    )


def user_error(field, message, code):
    return GraphQLResult(
        {
            "customerSet": {
                "customer": None,
                "userErrors": [{"field": field, "message": message, "code": code}],
            }
        },
        "req-x",
        11,
        10,
        STATUS,
    )


class ScriptedClient:
    """Answers each email with the next scripted outcome (a result or an exception)."""

    shop = "acme"

    def __init__(self, script):
        self.script = {k: deque(v) for k, v in script.items()}
        self.calls = []

    probe_answer = InvalidTokenError("still revoked", status=401)

    async def execute(self, document, variables):
        if document == PROBE:
            self.calls.append("probe")
            if isinstance(self.probe_answer, Exception):
                raise self.probe_answer
            return self.probe_answer
        email = variables["input"].get("email")
        self.calls.append(email)
        outcome = self.script[email].popleft()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


class Harness:
    def __init__(self, script, policy=RetryPolicy(max_attempts=3, base_backoff_s=0.01, max_backoff_s=0.05)):
        self.redis = fakeredis.FakeRedis()
        keys = Keys("t")
        self.tracker = SyncTracker(self.redis, keys)
        self.dlq = DeadLetterStore(self.redis, keys)
        self.pauses = ShopPauses(self.redis, keys)
        self.client = ScriptedClient(script)
        self.sleeps = []
        self.tracker.start("s1", shop="acme", resource="customers", total=len(script))

        async def sleep(s):
            self.sleeps.append(s)

        self.writer = BatchWriter(
            gateway=ShopGateway(self.client, ShopLimiter(self.redis, keys), max_wait_s=5.0, sleep=sleep),
            resource=get_resource("customers"),
            sync_id="s1",
            recorder=OutcomeRecorder(self.tracker, self.dlq, shop="acme", sync_id="s1", resource="customers"),
            pauses=self.pauses,
            policy=policy,
            max_inline_wait_s=5.0,
            max_records_per_request=1,  # one scripted answer per record; packing has its own tests
            sleep=sleep,
            jitter=lambda: 1.0,
        )

    def run(self, emails):
        records = [
            RecordEnvelope(key=e, payload={"email": e, "firstName": "A"}, source={"e": e}) for e in emails
        ]
        return asyncio.run(self.writer.write(records))


def test_each_record_settles_on_its_own():
    h = Harness(
        {
            "a@x.io": [ok(1)],
            "b@x.io": [user_error(["input", "phone"], "Phone has already been taken", "TAKEN")],
            "c@x.io": [ServerError("boom", status=503), NetworkError("reset"), ok(3)],
        }
    )
    outcome = h.run(["a@x.io", "b@x.io", "c@x.io"])
    assert (outcome.synced, outcome.dead_lettered) == (2, 1)
    assert h.tracker.outcome("s1", "a@x.io")["gid"] == "gid://shopify/Customer/1"
    assert h.tracker.outcome("s1", "c@x.io")["state"] == "synced"
    [entry] = list(h.dlq.iter())
    assert entry.record_key == "b@x.io"
    assert (entry.reason.category, entry.reason.field, entry.reason.code) == (
        "user_error",
        "input.phone",
        "TAKEN",
    )
    assert entry.payload["email"] == "b@x.io" and entry.source == {"e": "b@x.io"}
    assert h.tracker.counts("s1").retries == 2


def test_retries_are_bounded_then_dead_lettered():
    h = Harness({"a@x.io": [ServerError("boom", status=500)] * 3})
    outcome = h.run(["a@x.io"])
    assert outcome.dead_lettered == 1
    [entry] = list(h.dlq.iter())
    assert entry.reason.category == "retries_exhausted" and entry.attempts == 3
    assert len(h.client.calls) == 3


def test_throttle_waits_as_the_server_says_and_does_not_use_attempts():
    throttle = ThrottledError(
        "throttled", throttle_status={"currentlyAvailable": 1, "restoreRate": 100, "maximumAvailable": 2000}
    )
    h = Harness(
        {"a@x.io": [throttle, throttle, throttle, throttle, ok(1)]},
        policy=RetryPolicy(max_attempts=1, max_backoff_s=5),
    )
    outcome = h.run(["a@x.io"])
    assert outcome.synced == 1
    # (11 requested - 1 available) / 100 per s, plus a margin; then the limiter waits for its own refill
    assert len([s for s in h.sleeps if s == pytest.approx(0.15, abs=0.01)]) == 4


def test_long_waits_defer_instead_of_sleeping_in_the_task():
    h = Harness(
        {"a@x.io": [ThrottledError("slow down", retry_after_s=30.0)]},
        policy=RetryPolicy(max_attempts=3, max_backoff_s=60),
    )
    outcome = h.run(["a@x.io"])
    [deferred] = outcome.deferred
    assert deferred.delay_s == 30.0 and deferred.record.throttles == 1
    assert h.tracker.outcome("s1", "a@x.io")["state"] == "retrying"


def test_auth_failure_pauses_the_shop_and_holds_records_without_more_requests():
    h = Harness({"a@x.io": [InvalidTokenError("revoked", status=401)], "b@x.io": [ok(2)], "c@x.io": [ok(3)]})
    h.writer.in_flight = 1
    outcome = h.run(["a@x.io", "b@x.io", "c@x.io"])
    assert [r.key for r in outcome.held] == ["a@x.io", "b@x.io", "c@x.io"]
    assert h.client.calls == ["a@x.io", "probe"]  # one probe per interval, not one per record
    assert h.pauses.reason("acme")["category"] == "invalid_token"
    assert h.tracker.counts("s1").paused == 3


def test_invalid_record_is_dead_lettered_with_field_path_before_any_request():
    h = Harness({})
    records = [RecordEnvelope(key="r1", payload={"email": "nope", "addresses": [{"countryCode": "Canada"}]})]
    outcome = asyncio.run(h.writer.write(records))
    assert outcome.dead_lettered == 1 and h.client.calls == []
    [entry] = list(h.dlq.iter())
    assert entry.reason.category == "validation"
    assert entry.reason.field == "email"
    assert "addresses.0.countryCode" in entry.reason.message


def test_already_synced_records_are_not_sent_again():
    h = Harness({"a@x.io": [ok(1)]})
    h.run(["a@x.io"])
    outcome = h.run(["a@x.io"])
    assert outcome.skipped == 1 and h.client.calls == ["a@x.io"]


def test_synced_log_line_carries_shopifys_request_id_and_cost(caplog):
    h = Harness({"a@x.io": [ServerError("boom", status=503), ok(1)]})
    with caplog.at_level("INFO", logger="worker.contract.recorder"):
        h.run(["a@x.io"])
    [line] = [r for r in caplog.records if getattr(r, "outcome", None) == "synced"]
    assert (line.request_id, line.cost, line.record, line.shop) == ("req-1", 10.0, "a@x.io", "acme")


def test_an_unexpected_exception_in_one_unit_defers_it_and_spares_the_others():
    class Exploding(ScriptedClient):
        async def execute(self, document, variables):
            if variables["input"]["email"] == "boom@x.io":
                raise KeyError("bug")
            return await super().execute(document, variables)

    h = Harness({"a@x.io": [ok(1)], "boom@x.io": []})
    h.client = Exploding(h.client.script)
    h.writer.gateway.client = h.client
    outcome = h.run(["a@x.io", "boom@x.io"])
    assert outcome.synced == 1
    [deferred] = outcome.deferred
    assert deferred.record.key == "boom@x.io" and deferred.record.attempts == 1


def test_units_left_when_the_time_budget_is_spent_are_deferred():
    h = Harness({"a@x.io": [ok(1)], "b@x.io": [ok(2)]})
    h.writer.time_budget_s = -1
    outcome = h.run(["a@x.io", "b@x.io"])
    assert outcome.synced == 0 and sorted(d.record.key for d in outcome.deferred) == ["a@x.io", "b@x.io"]
    assert h.client.calls == []


def test_a_probe_that_succeeds_resumes_the_shop_and_writes_on():
    h = Harness({"b@x.io": [ok(2)]})
    h.pauses.pause("acme", category="invalid_token", message="401")
    h.client.probe_answer = GraphQLResult({"shop": {"name": "Acme"}}, "req-p", 1, 1, STATUS)
    outcome = h.run(["b@x.io"])
    assert outcome.synced == 1 and outcome.resumed and h.pauses.reason("acme") is None
    assert h.client.calls == ["probe", "b@x.io"]
