"""Access denied, as live stores answer it (FACTS.md, "More observed on live stores"), through the writer.

A denied access pauses only the resource that needs it, names the access, and ends only when the token
is seen holding it (``currentAppInstallation.accessScopes``), when new credentials grant it, or by
``shops resume``; never on a request that needs no access, such as ``shop { name }``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import fakeredis
import pytest
from typer.testing import CliRunner

from producers.cli import app
from tests.conftest import TEST_REDIS_URL
from worker.access import required_access
from worker.batch import PROBE, BatchWriter
from worker.client import GraphQLResult
from worker.contract.access import RequiredAccess
from worker.contract.deadletters import DeadLetterStore
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.pauses import ShopPauses
from worker.contract.recorder import OutcomeRecorder
from worker.contract.tracking import SyncTracker
from worker.errors import MissingScopeError, classify
from worker.gateway import ShopGateway
from worker.ratelimit import ShopLimiter
from worker.resources import get_resource
from worker.retry import RetryPolicy

STATUS = {"maximumAvailable": 2000.0, "currentlyAvailable": 1990.0, "restoreRate": 100.0}
COST = {"requestedQueryCost": 10, "actualQueryCost": 10, "throttleStatus": STATUS}
DOCS = "https://shopify.dev/api/usage/access-scopes"


def denied(field: str, required: str | None) -> dict[str, Any]:
    """Shopify's ACCESS_DENIED answer for ``field`` (HTTP 200, the field null)."""
    extensions: dict[str, Any] = {"code": "ACCESS_DENIED", "documentation": DOCS}
    message = f"Access denied for {field} field."
    if required is not None:
        extensions["requiredAccess"] = required
        message += f" Required access: {required}"
    return {
        "data": {field: None},
        "errors": [
            {
                "message": message,
                "locations": [{"line": 2, "column": 3}],
                "path": [field],
                "extensions": extensions,
            }
        ],
        "extensions": {"cost": COST},
    }


WRITE_CUSTOMERS = "`write_customers` access scope."
MARK_AS_PAID = (
    "`write_orders` access scope. Also: The user must have mark_orders_as_paid permission. The API client "
    "must be installed on a Shopify Plus store to use the amount field."
)


@pytest.mark.parametrize(
    ("body", "scopes", "also", "kind", "field"),
    [
        (denied("customerSet", WRITE_CUSTOMERS), ("write_customers",), None, "scope", "customerSet"),
        (
            denied("orderCreateManualPayment", MARK_AS_PAID),
            ("write_orders",),
            MARK_AS_PAID.split("Also: ")[1],
            "plan",
            "orderCreateManualPayment",
        ),
        (
            denied(
                "inventoryBulkToggleActivation",
                "`write_inventory` access scope. Also: The user must have a "
                "permission to update the activation status of an inventory.",
            ),
            ("write_inventory",),
            "The user must have a permission to update the activation status of an inventory.",
            "permission",
            "inventoryBulkToggleActivation",
        ),
        (
            denied(
                "companyContactUpdate", "`write_customers` access scope or `write_companies` access scope."
            ),
            ("write_customers", "write_companies"),
            None,
            "scope",
            "companyContactUpdate",
        ),
        # Older answers: no backticks, a line break before "access scope".
        (
            denied("customerCreate", "write_customers\naccess scope."),
            ("write_customers",),
            None,
            "scope",
            "customerCreate",
        ),
        (denied("priceRules", None), (), None, "unnamed", "priceRules"),
        (
            {"errors": "[API] This action requires merchant approval for write_orders scope."},
            ("write_orders",),
            None,
            "scope",
            None,
        ),
    ],
)
def test_the_access_shopify_names_is_read_from_its_answer(body, scopes, also, kind, field):
    err = classify(403 if isinstance(body["errors"], str) else 200, body)
    assert isinstance(err, MissingScopeError)
    assert (err.required.scopes, err.required.also, err.required.kind, err.required.field) == (
        scopes,
        also,
        kind,
        field,
    )


def test_a_scope_is_granted_by_itself_or_its_write_scope_and_a_permission_never():
    assert RequiredAccess(("read_locations",)).granted_by(["write_locations"])
    assert RequiredAccess(("write_customers", "write_companies")).granted_by(["write_companies"])
    assert not RequiredAccess(("write_customers",)).granted_by(["read_customers"])
    assert not required_access(denied("x", MARK_AS_PAID)["errors"][0]).granted_by(["write_orders"])


class Shop:
    """Answers like a store: writes need ``write_<resource>``; the token's scopes can change."""

    shop = "acme"

    def __init__(self, scopes: tuple[str, ...], write_denial: str = WRITE_CUSTOMERS) -> None:
        self.scopes = scopes
        self.write_denial = write_denial
        self.sent: list[str] = []
        self.gids = 0

    async def execute(self, document: str, variables: Mapping[str, Any]) -> GraphQLResult:
        if document == PROBE:
            self.sent.append("shop")
            body: dict[str, Any] = {"data": {"shop": {"name": "Acme"}}}
        elif "currentAppInstallation" in document:
            self.sent.append("accessScopes")
            handles = [{"handle": s} for s in self.scopes]
            body = {"data": {"currentAppInstallation": {"accessScopes": handles}}}
        else:
            field = "productSet" if "productSet" in document else "customerSet"
            self.sent.append(field)
            body = self._write(field)
        err = classify(200, body)
        if err is not None:
            raise err
        return GraphQLResult(body["data"], "req", 10, 10, STATUS)

    def _write(self, field: str) -> dict[str, Any]:
        needed = "write_products" if field == "productSet" else "write_customers"
        if needed not in self.scopes:
            return denied(field, self.write_denial)
        self.gids += 1
        node = "product" if field == "productSet" else "customer"
        gid = f"gid://shopify/{node.capitalize()}/{self.gids}"
        return {"data": {field: {node: {"id": gid, "variants": {"nodes": []}}, "userErrors": []}}}


class Harness:
    def __init__(self, shop: Shop) -> None:
        self.redis = fakeredis.FakeRedis()
        self.keys = Keys("t")
        self.tracker = SyncTracker(self.redis, self.keys)
        self.dlq = DeadLetterStore(self.redis, self.keys)
        self.pauses = ShopPauses(self.redis, self.keys)
        self.shop = shop
        self.enqueued: list[tuple[str, list[dict[str, Any]]]] = []

    def write(self, resource: str, keys_payloads: dict[str, dict[str, Any]], sync_id: str = "s1"):
        self.tracker.start(sync_id, shop="acme", resource=resource, total=len(keys_payloads))

        async def sleep(_s: float) -> None:
            return None

        writer = BatchWriter(
            gateway=ShopGateway(self.shop, ShopLimiter(self.redis, self.keys), max_wait_s=5.0, sleep=sleep),  # type: ignore[arg-type]
            resource=get_resource(resource),
            sync_id=sync_id,
            recorder=OutcomeRecorder(self.tracker, self.dlq, shop="acme", sync_id=sync_id, resource=resource),
            pauses=self.pauses,
            policy=RetryPolicy(max_attempts=3, base_backoff_s=0.01, max_backoff_s=0.05),
            max_inline_wait_s=5.0,
            max_records_per_request=1,
            probe_interval_s=60.0,
            sleep=sleep,
            jitter=lambda: 1.0,
        )
        records = [RecordEnvelope(key=k, payload=p, source={}) for k, p in keys_payloads.items()]
        outcome = asyncio.run(writer.write(records))
        # What the task does with the outcome (worker/tasks.py: _place_unsettled).
        for resumed in outcome.access_resumed:
            self.pauses.access.release("acme", resumed, self.enqueue)
        if outcome.held_for_access:
            held = [r.to_dict() for r in outcome.held_for_access]
            batch = {"shop": "acme", "sync_id": sync_id, "resource": resource, "records": held}
            assert self.pauses.access.hold("acme", resource, batch)
        return outcome

    def enqueue(self, shop: str, sync_id: str, resource: str, records: list[dict[str, Any]]) -> None:
        self.enqueued.append((sync_id, records))

    def run_enqueued(self, resource: str = "customers") -> None:
        """The worker takes the batches enqueued again."""
        batches, self.enqueued = self.enqueued, []
        for sync_id, records in batches:
            self.write(resource, {r["key"]: r["payload"] for r in records}, sync_id=sync_id)

    def state(self, key: str, sync_id: str = "s1") -> str:
        outcome = self.tracker.outcome(sync_id, key)
        assert outcome is not None
        return str(outcome["state"])

    def next_probe_interval(self) -> None:
        self.redis.delete(self.keys.access_probe("acme"), self.keys.probe("acme"))


def test_a_missing_scope_pauses_the_resource_names_it_and_its_records_sync_once_the_token_has_it():
    h = Harness(Shop(scopes=("write_products",)))
    outcome = h.write("customers", {"a": {"email": "a@x.io"}})
    assert [r.key for r in outcome.held_for_access] == ["a"] and h.state("a") == "paused"
    pause = h.pauses.access.get("acme", "customers")
    assert pause is not None and pause.required.scopes == ("write_customers",)
    assert pause.seen == ("write_products",)  # the token's scopes were read once, right away
    assert h.pauses.reason("acme") is None  # the shop itself is not paused
    assert (
        h.pauses.summary("acme")
        == "missing_access: customers needs `write_customers` access scope (for customerSet)"
    )
    assert h.shop.sent == ["customerSet", "accessScopes"]

    # Probe intervals pass, the scope is still missing: the write is not tried again.
    for sync_id in ("s2", "s3"):
        h.next_probe_interval()
        h.write("customers", {"b": {"email": "b@x.io"}}, sync_id=sync_id)
        assert h.state("b", sync_id) == "paused"
    assert h.shop.sent == ["customerSet", "accessScopes", "accessScopes", "accessScopes"]
    assert h.state("a") == "paused"

    h.shop.scopes = ("write_products", "write_customers")  # the merchant approved the scope
    h.next_probe_interval()
    outcome = h.write("customers", {"c": {"email": "c@x.io"}}, sync_id="s4")
    assert outcome.access_resumed == ["customers"] and h.state("c", "s4") == "synced"
    assert h.pauses.access.get("acme", "customers") is None
    h.run_enqueued()
    assert [h.state("a"), h.state("b", "s2"), h.state("b", "s3")] == ["synced", "synced", "synced"]
    assert h.pauses.access.held("acme", "customers") == []


def test_a_request_that_needs_no_access_never_resumes_an_access_pause():
    h = Harness(Shop(scopes=("write_products",)))
    h.write("customers", {"a": {"email": "a@x.io"}})
    # The shop is also paused whole (say a 401); ``shop { name }`` answers again and resumes only that.
    h.pauses.pause("acme", category="invalid_token", message="401")
    for sync_id in ("s2", "s3"):
        h.next_probe_interval()
        outcome = h.write("customers", {"b": {"email": "b@x.io"}}, sync_id=sync_id)
        assert h.state("b", sync_id) == "paused" and outcome.held_for_access
    assert outcome.resumed is False and h.pauses.reason("acme") is None
    assert "shop" in h.shop.sent and h.shop.sent.count("customerSet") == 1
    assert h.pauses.access.get("acme", "customers") is not None and h.state("a") == "paused"


def test_other_resources_of_the_shop_go_on():
    h = Harness(Shop(scopes=("write_products",)))
    h.write("customers", {"a": {"email": "a@x.io"}})
    h.write("products", {"p": {"title": "Hat", "handle": "hat"}}, sync_id="p1")
    assert h.state("p", "p1") == "synced" and h.state("a") == "paused"


def test_a_permission_or_plan_requirement_never_resumes_by_itself():
    h = Harness(Shop(scopes=(), write_denial=MARK_AS_PAID))
    h.write("customers", {"a": {"email": "a@x.io"}})
    pause = h.pauses.access.get("acme", "customers")
    assert pause is not None and pause.required.kind == "plan"
    h.shop.scopes = ("write_orders",)  # scopes change, but the plan or permission cannot be read back
    h.next_probe_interval()
    h.write("customers", {"b": {"email": "b@x.io"}}, sync_id="s2")
    assert h.state("b", "s2") == "paused"
    assert h.pauses.access.resume_granted("acme", ["write_orders", "write_customers"], h.enqueue) == {}
    # ``shops resume``: every held record goes back.
    h.shop.scopes, h.shop.write_denial = ("write_customers",), WRITE_CUSTOMERS
    assert h.pauses.access.resume("acme", h.enqueue) == {"customers": 2}
    h.run_enqueued()
    assert (h.state("a"), h.state("b", "s2")) == ("synced", "synced")


def test_denied_although_the_token_holds_the_scope_is_not_resumed_by_reading_the_scopes():
    shop = Shop(scopes=("write_customers",))
    shop._write = lambda field: denied(field, WRITE_CUSTOMERS)  # type: ignore[method-assign]
    h = Harness(shop)
    h.write("customers", {"a": {"email": "a@x.io"}})
    pause = h.pauses.access.get("acme", "customers")
    assert pause is not None and pause.seen == ("write_customers",) and not pause.ends_on_scopes
    h.next_probe_interval()
    h.write("customers", {"b": {"email": "b@x.io"}}, sync_id="s2")
    assert shop.sent.count("customerSet") == 1 and h.state("b", "s2") == "paused"
    assert "another reason" in pause.waiting_for()


def test_new_credentials_with_the_scope_resume_the_resource():
    h = Harness(Shop(scopes=()))
    h.write("customers", {"a": {"email": "a@x.io"}})
    assert h.pauses.access.resume_granted("acme", ["write_products"], h.enqueue) == {}
    h.shop.scopes = ("write_customers",)
    assert h.pauses.access.resume_granted("acme", ["write_customers"], h.enqueue) == {"customers": 1}
    h.run_enqueued()
    assert h.state("a") == "synced"


def test_a_batch_held_after_the_resource_was_resumed_is_not_kept():
    h = Harness(Shop(scopes=()))
    assert not h.pauses.access.hold("acme", "customers", {"records": [1]})
    h.pauses.access.pause("acme", "customers", RequiredAccess(("write_customers",)), message="denied")
    assert h.pauses.access.hold("acme", "customers", {"records": [2]})
    assert not h.pauses.access.hold("acme", "orders", {"records": [3]})


def test_shops_status_names_the_missing_access_and_resume_ends_it(monkeypatch, real_redis):
    prefix = "test-shops-access"
    monkeypatch.setenv("SHOPIFY_SYNC_REDIS_URL", TEST_REDIS_URL)
    monkeypatch.setenv("SHOPIFY_SYNC_KEY_PREFIX", prefix)
    pauses = ShopPauses(real_redis, Keys(prefix))
    required = required_access(denied("orderCreateManualPayment", MARK_AS_PAID)["errors"][0])
    pauses.access.pause("acme", "orders", required, message="denied")
    pauses.access.hold(
        "acme", "orders", {"shop": "acme", "sync_id": "s1", "resource": "orders", "records": [{}]}
    )
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr("producers.commands.shops.enqueue_batch", lambda *args: sent.append(args))
    try:
        status = CliRunner().invoke(app, ["shops", "status", "acme"])
        assert status.exit_code == 0, status.output
        assert "acme: active" in status.stdout
        assert (
            "orders: PAUSED (missing access): needs `write_orders` access scope; also: The user must"
            in status.stdout
        )
        assert "1 record(s) held in 1 batch(es)" in status.stdout and "`shops resume`" in status.stdout
        resumed = CliRunner().invoke(app, ["shops", "resume", "acme"])
        assert "orders: access pause ended; 1 record(s) enqueued again" in resumed.stdout
        assert sent == [("acme", "s1", "orders", [{}])] and pauses.access.all("acme") == []
    finally:
        for key in real_redis.scan_iter(f"{prefix}:*"):
            real_redis.delete(key)
