"""Answers recorded on live stores (FACTS.md, "More observed on live stores") through the batch writer.

Each case scripts Shopify's answer in the shape FACTS.md records and asserts where the record ends:
its tracked state and gid, or its dead letter's field, step and gid.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import fakeredis

from worker.batch import BatchWriter
from worker.client import GraphQLResult
from worker.contract.deadletters import DeadLetterStore
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.pauses import ShopPauses
from worker.contract.recorder import OutcomeRecorder
from worker.contract.tracking import SyncTracker
from worker.errors import alias_errors, classify
from worker.gateway import ShopGateway
from worker.lookups import LookupCache
from worker.ratelimit import ShopLimiter
from worker.resources import get_resource
from worker.retry import RetryPolicy

STATUS = {"maximumAvailable": 2000.0, "currentlyAvailable": 1990.0, "restoreRate": 100.0}
CUSTOMER = "gid://shopify/Customer/7"
ORDER = "gid://shopify/Order/9"
Answer = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]


def result(data: Mapping[str, Any]) -> GraphQLResult:
    return GraphQLResult(data, "req", 10, 10, STATUS)


class RoutedClient:
    """Answers by the mutation or query a document runs; records what was sent."""

    shop = "acme"

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def execute(self, document: str, variables: Mapping[str, Any]) -> GraphQLResult:
        root = _root_field(document)
        self.sent.append((root, dict(variables)))
        return result(self.answer(root, variables))


def _root_field(document: str) -> str:
    body = document[document.index("{") + 1 :].strip()
    return body.split("(")[0].split("{")[0].split(":")[-1].strip()


class Harness:
    def __init__(self, resource: str, answer: Answer) -> None:
        self.redis = fakeredis.FakeRedis()
        keys = Keys("t")
        self.tracker = SyncTracker(self.redis, keys)
        self.dlq = DeadLetterStore(self.redis, keys)
        self.lookups = LookupCache(self.redis, keys)
        self.client = RoutedClient(answer)
        self.resource = resource

        async def sleep(_s: float) -> None:
            return None

        self.writer = BatchWriter(
            gateway=ShopGateway(self.client, ShopLimiter(self.redis, keys), max_wait_s=5.0, sleep=sleep),  # type: ignore[arg-type]
            resource=get_resource(resource),
            sync_id="s1",
            recorder=OutcomeRecorder(self.tracker, self.dlq, shop="acme", sync_id="s1", resource=resource),
            pauses=ShopPauses(self.redis, keys),
            policy=RetryPolicy(max_attempts=3, base_backoff_s=0.01, max_backoff_s=0.05),
            lookups=self.lookups,
            max_inline_wait_s=5.0,
            max_records_per_request=1,
            sleep=sleep,
            jitter=lambda: 1.0,
        )

    def run(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.tracker.start("s1", shop="acme", resource=self.resource, total=1)
        asyncio.run(self.writer.write([RecordEnvelope(key="r1", payload=payload, source={})]))
        outcome = self.tracker.outcome("s1", "r1")
        assert outcome is not None
        return dict(outcome)

    def dead_letter(self) -> Any:
        [entry] = list(self.dlq.iter())
        return entry.reason

    def roots(self) -> list[str]:
        return [root for root, _ in self.client.sent]


def customer_answers(**overrides: Mapping[str, Any]) -> Answer:
    def answer(root: str, variables: Mapping[str, Any]) -> Mapping[str, Any]:
        if root in overrides:
            return overrides[root]
        if root == "customerSet":
            return {"customerSet": {"customer": {"id": CUSTOMER}, "userErrors": []}}
        if root == "metafieldsSet":
            return {"metafieldsSet": {"metafields": [{"id": "gid://shopify/Metafield/1"}], "userErrors": []}}
        return {root: {"customer": {"id": CUSTOMER}, "userErrors": []}}

    return answer


# --- Marketing consent (FACTS.md lines 132-134) ------------------------------------------------------


def test_not_subscribed_and_redacted_consent_are_not_sent_and_the_customer_is_synced():
    for state in ("NOT_SUBSCRIBED", "REDACTED"):
        h = Harness("customers", customer_answers())
        consent = {"marketingState": state}
        outcome = h.run({"email": "a@x.io", "emailMarketingConsent": consent, "smsMarketingConsent": consent})
        assert (outcome["state"], outcome["gid"]) == ("synced", CUSTOMER)
        assert h.roots() == ["customerSet"]


def test_subscribed_email_consent_without_opt_in_level_is_refused_before_anything_is_sent():
    h = Harness("customers", customer_answers())
    outcome = h.run({"email": "a@x.io", "emailMarketingConsent": {"marketingState": "SUBSCRIBED"}})
    assert outcome["state"] == "dead_lettered"
    reason = h.dead_letter()
    assert (reason.category, reason.field) == ("validation", "emailMarketingConsent")
    assert "marketingOptInLevel is required" in reason.message
    assert h.client.sent == []


# --- A follow-up that fails after the main write (issue 12, item 7) ----------------------------------


def test_a_failed_consent_update_dead_letters_with_the_step_and_the_gid_written():
    missing = {
        "customerEmailMarketingConsentUpdate": {
            "customer": {"id": CUSTOMER},
            "userErrors": [
                {
                    "field": ["input", "emailMarketingConsent", "consentUpdatedAt"],
                    "message": "Consent updated at must not be in the future",
                    "code": "INVALID",
                }
            ],
        }
    }
    h = Harness("customers", customer_answers(customerEmailMarketingConsentUpdate=missing))
    consent = {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN"}
    outcome = h.run({"email": "a@x.io", "emailMarketingConsent": consent})
    assert outcome["state"] == "dead_lettered"
    reason = h.dead_letter()
    assert (reason.step, reason.gid) == ("customerEmailMarketingConsentUpdate", CUSTOMER)
    assert reason.field == "input.emailMarketingConsent.consentUpdatedAt"


# --- metafieldsSet across chunks of 25 (FACTS.md lines 135-138) --------------------------------------


def test_metafield_errors_blame_the_records_own_entry_across_chunks():
    calls = []

    def answer(root: str, variables: Mapping[str, Any]) -> Mapping[str, Any]:
        if root == "metafieldsSet":
            calls.append(len(variables["metafields"]))
            if len(calls) == 2:  # entries 25..29: the third of this call (index 2) is a bad color
                error = {
                    "field": ["metafields", "2", "value"],
                    "message": "Value is invalid",
                    "code": "INVALID_VALUE",
                }
                return {"metafieldsSet": {"metafields": [], "userErrors": [error]}}
        return customer_answers()(root, variables)

    h = Harness("customers", answer)
    metafields = [
        {"namespace": "erp", "key": f"k{i}", "type": "color", "value": "#000000"} for i in range(30)
    ]
    outcome = h.run({"email": "a@x.io", "metafields": metafields})
    assert calls == [25, 5]
    assert outcome["state"] == "dead_lettered"
    reason = h.dead_letter()
    assert (reason.field, reason.step, reason.gid) == ("metafields.27.value", "metafieldsSet", CUSTOMER)


# --- orderCancel already done (FACTS.md lines 130-131) -----------------------------------------------


def order_answers(cancel_errors: list[dict[str, Any]]) -> Answer:
    def answer(root: str, variables: Mapping[str, Any]) -> Mapping[str, Any]:
        if root == "orders":
            node = {"id": ORDER, "sourceIdentifier": "S-1", "closed": False, "cancelledAt": None}
            return {"orders": {"nodes": [{**node, "displayFinancialStatus": None}]}}
        if root == "orderCancel":
            return {"orderCancel": {"job": None, "orderCancelUserErrors": cancel_errors}}
        assert root == "orderUpdate"
        return {"orderUpdate": {"order": {"id": ORDER}, "userErrors": []}}

    return answer


def test_cancelling_an_order_already_cancelled_or_being_cancelled_is_synced():
    for message in (
        "Cannot cancel an order that has already been canceled",
        "Cancellation is already in progress",
    ):
        h = Harness("orders", order_answers([{"field": None, "message": message, "code": "INVALID"}]))
        outcome = h.run({"sourceIdentifier": "S-1", "cancel": {"reason": "CUSTOMER"}})
        assert (outcome["state"], outcome["gid"]) == ("synced", ORDER)
        assert h.roots()[0] == "orders" and h.roots()[-1] == "orderCancel"


def test_another_cancel_error_dead_letters_with_the_order_gid():
    error = {"field": ["staffNote"], "message": "Staff note is too long.", "code": "INVALID"}
    h = Harness("orders", order_answers([error]))
    outcome = h.run({"sourceIdentifier": "S-1", "cancel": {"reason": "CUSTOMER"}})
    assert outcome["state"] == "dead_lettered"
    reason = h.dead_letter()
    assert (reason.field, reason.step, reason.gid) == ("staffNote", "orderCancel", ORDER)


# --- A stale SKU -> variant entry (FACTS.md lines 141-142) -------------------------------------------


def test_an_order_refused_for_a_cached_variant_drops_the_entry_and_is_created_with_a_fresh_lookup():
    created: list[Any] = []

    def answer(root: str, variables: Mapping[str, Any]) -> Mapping[str, Any]:
        if root == "orders":
            return {"orders": {"nodes": []}}
        if root == "productVariants":
            node = {"id": "gid://shopify/ProductVariant/5", "sku": "MUG", "inventoryItem": {"id": "i5"}}
            return {"productVariants": {"nodes": [node]}}
        assert root == "orderCreate"
        created.append(variables["order"]["lineItems"][0]["variantId"])
        if variables["order"]["lineItems"][0]["variantId"].endswith("/99"):
            errors = [
                {"field": ["order"], "message": "Order Line items is invalid", "code": "INVALID"},
                {"field": ["order"], "message": "Line items Title can't be blank", "code": "INVALID"},
            ]
            return {"orderCreate": {"order": None, "userErrors": errors}}
        return {
            "orderCreate": {"order": {"id": ORDER, "closed": False, "cancelledAt": None}, "userErrors": []}
        }

    h = Harness("orders", answer)
    h.lookups.put_many("acme", "sku", {"MUG": "gid://shopify/ProductVariant/99|i99"})
    outcome = h.run({"sourceIdentifier": "S-1", "lineItems": [{"sku": "MUG", "quantity": 1}]})
    assert (outcome["state"], outcome["gid"]) == ("synced", ORDER)
    assert created == ["gid://shopify/ProductVariant/99", "gid://shopify/ProductVariant/5"]
    assert h.lookups.get_many("acme", "sku", ["MUG"]) == {"MUG": "gid://shopify/ProductVariant/5|i5"}


def test_an_unknown_variant_not_from_the_cache_is_dead_lettered_on_the_order():
    def answer(root: str, variables: Mapping[str, Any]) -> Mapping[str, Any]:
        if root == "orders":
            return {"orders": {"nodes": []}}
        errors = [{"field": ["order"], "message": "Order Line items is invalid", "code": "INVALID"}]
        return {"orderCreate": {"order": None, "userErrors": errors}}

    h = Harness("orders", answer)
    variant = "gid://shopify/ProductVariant/99"
    outcome = h.run({"sourceIdentifier": "S-1", "lineItems": [{"variantId": variant, "quantity": 1}]})
    assert outcome["state"] == "dead_lettered"
    reason = h.dead_letter()
    assert (reason.field, reason.gid) == ("order", None)


# --- A packed request where one alias fails alone (FACTS.md lines 123-125) ---------------------------


def test_one_failing_alias_of_a_pack_fails_only_its_record():
    body = {
        "errors": [
            {
                "message": "Metafield definition of type 'id' is required when using custom ids.",
                "path": ["m1"],
                "extensions": {"code": "NOT_FOUND"},
            }
        ],
        "data": {
            "m0": {"customer": {"id": "gid://shopify/Customer/1"}, "userErrors": []},
            "m1": None,
            "m2": {"customer": {"id": "gid://shopify/Customer/3"}, "userErrors": []},
        },
    }
    assert classify(200, body) is None
    failed = alias_errors(body)
    assert failed == {
        "m1": "Metafield definition of type 'id' is required when using custom ids. (NOT_FOUND)"
    }

    class Packed:
        shop = "acme"

        async def execute(self, document: str, variables: Mapping[str, Any]) -> GraphQLResult:
            return GraphQLResult(body["data"], "req", 30, 30, STATUS, alias_errors=failed)

    redis = fakeredis.FakeRedis()
    keys = Keys("t")
    tracker, dlq = SyncTracker(redis, keys), DeadLetterStore(redis, keys)
    tracker.start("s1", shop="acme", resource="customers", total=3)
    writer = BatchWriter(
        gateway=ShopGateway(Packed(), ShopLimiter(redis, keys), max_wait_s=5.0),  # type: ignore[arg-type]
        resource=get_resource("customers"),
        sync_id="s1",
        recorder=OutcomeRecorder(tracker, dlq, shop="acme", sync_id="s1", resource="customers"),
        pauses=ShopPauses(redis, keys),
        policy=RetryPolicy(max_attempts=3),
    )
    records = [RecordEnvelope(key=f"r{i}", payload={"email": f"c{i}@x.io"}, source={}) for i in range(3)]
    asyncio.run(writer.write(records))
    states = [tracker.outcome("s1", f"r{i}") for i in range(3)]
    assert [s["state"] for s in states] == ["synced", "dead_lettered", "synced"]
    assert (states[0]["gid"], states[2]["gid"]) == ("gid://shopify/Customer/1", "gid://shopify/Customer/3")
    [entry] = list(dlq.iter())
    assert entry.record_key == "r1" and "custom ids" in entry.reason.message


def test_an_error_without_a_path_or_on_every_alias_still_fails_the_whole_request():
    data = {"m0": None, "m1": None}
    every = {"errors": [{"message": "x", "path": ["m0"]}, {"message": "x", "path": ["m1"]}], "data": data}
    assert alias_errors(every) is None and classify(200, every) is not None
    throttled = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}], "data": None}
    assert alias_errors(throttled) is None
    denied = {
        "errors": [{"message": "Access denied", "path": ["m0"], "extensions": {"code": "ACCESS_DENIED"}}],
        "data": {"m0": None, "m1": {"customer": {"id": "g"}}},
    }
    assert alias_errors(denied) is None
