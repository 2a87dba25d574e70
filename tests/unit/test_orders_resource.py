"""Orders against a scripted Shopify: created once, found by source identifier, updated, statuses applied."""

import asyncio
import time

import fakeredis
import pytest

from worker.client import GraphQLResult
from worker.contract.keys import Keys
from worker.errors import NetworkError, OutcomeUnknownError, UserErrorsError
from worker.lookups import LookupCache
from worker.resources import RecordInvalidError, WriteContext, get_resource
from worker.resources.orders import (
    FIND_ORDER,
    ORDER_BY_ID,
    ORDER_CANCEL,
    ORDER_CLOSE,
    ORDER_CREATE,
    ORDER_MARK_AS_PAID,
    ORDER_UPDATE,
)
from worker.resources.shopify_ids import VARIANTS_BY_SKU

orders = get_resource("orders")


def result(data):
    return GraphQLResult(data, "req", 10, 10, None)


class FakeShop:
    """Keeps orders by source identifier; can lose the answer of the next create after committing it."""

    def __init__(self):
        self.orders = {}
        self.calls = []
        self.lose_next_create = False
        self.search_hides = 0  # the next N searches miss new orders (Shopify indexes them asynchronously)

    async def __call__(self, document, variables, *, cost=None):
        self.calls.append(document)
        if document == ORDER_BY_ID:
            order = self.orders.get(variables["id"])
            return result({"order": _node(order) if order else None})
        if document == FIND_ORDER:
            if self.search_hides:
                self.search_hides -= 1
                return result({"orders": {"nodes": []}})
            wanted = variables["query"].split(":", 1)[1].strip('"')
            nodes = [_node(o) for o in self.orders.values() if o["sourceIdentifier"] == wanted]
            return result({"orders": {"nodes": nodes}})
        if document == VARIANTS_BY_SKU:
            return result(
                {
                    "productVariants": {
                        "nodes": [
                            {
                                "id": "gid://shopify/ProductVariant/7",
                                "sku": "TEE-M",
                                "inventoryItem": {"id": "gid://shopify/InventoryItem/7"},
                            }
                        ]
                    }
                }
            )
        if document == ORDER_CREATE:
            order = variables["order"]
            if not order["lineItems"]:
                return result(
                    {
                        "orderCreate": {
                            "order": None,
                            "userErrors": [
                                {
                                    "field": ["order", "lineItems"],
                                    "message": "Line items must have at least one line item",
                                    "code": "INVALID",
                                }
                            ],
                        }
                    }
                )
            gid = f"gid://shopify/Order/{len(self.orders) + 1}"
            self.orders[gid] = {
                "id": gid,
                "sourceIdentifier": order["sourceIdentifier"],
                "closed": False,
                "cancelledAt": None,
                "displayFinancialStatus": order.get("financialStatus", "PENDING"),
                "input": order,
            }
            if self.lose_next_create:
                self.lose_next_create = False
                raise NetworkError("connection reset after commit")
            return result({"orderCreate": {"order": self.orders[gid], "userErrors": []}})
        order_id = variables.get("orderId") or variables.get("id") or variables["input"]["id"]
        order = self.orders[order_id]
        if document == ORDER_UPDATE:
            address = variables["input"].get("shippingAddress")
            if address is not None and not address.get("lastName"):  # stricter than orderCreate, as Shopify
                error = {"field": ["shippingAddress", "lastName"], "message": "Last name can't be blank"}
                return result({"orderUpdate": {"order": None, "userErrors": [error]}})
            order["input"].update({k: v for k, v in variables["input"].items() if k != "id"})
            return result({"orderUpdate": {"order": {"id": order_id}, "userErrors": []}})
        if document == ORDER_CLOSE:
            order["closed"] = True
            return result({"orderClose": {"order": {"id": order_id}, "userErrors": []}})
        if document == ORDER_MARK_AS_PAID:
            order["displayFinancialStatus"] = "PAID"
            return result({"orderMarkAsPaid": {"order": {"id": order_id}, "userErrors": []}})
        if document == ORDER_CANCEL:
            order["cancelledAt"] = "now"
            return result({"orderCancel": {"job": {"id": "j"}, "orderCancelUserErrors": []}})
        raise AssertionError(document)


def _node(order):
    """An order as the lookups read it (``order_documents.ORDER_FIELDS``)."""
    held = order["input"]
    node = {k: v for k, v in order.items() if k != "input"}
    node.update({k: held.get(k) for k in ("email", "phone", "note", "poNumber")})
    node.update(tags=held.get("tags") or [], customAttributes=held.get("customAttributes") or [])
    return {**node, "shippingAddress": _held_address(held.get("shippingAddress"))}


def _held_address(given):
    if given is None:
        return None
    held = {k: v for k, v in given.items() if k != "countryCode"}
    return {**held, "countryCodeV2": given.get("countryCode")}


def write(shop, record, key="SO-1", lookups=None):
    ctx = WriteContext(shop="acme", sync_id="s", record_keys=(key,), idempotency_key="k", lookups=lookups)
    return asyncio.run(orders.write([orders.validate(record)], shop, ctx))


ORDER = {
    "sourceIdentifier": "SO-1",
    "email": "ada@example.com",
    "lineItems": [{"sku": "TEE-M", "quantity": 2}, {"title": "Gift wrap", "price": "3.5", "quantity": 1}],
    "shippingLines": [{"title": "Standard", "price": 5}],
    "taxLines": [{"title": "VAT", "rate": 0.2, "price": "4.00"}],
    "transactions": [{"amount": "31.5", "gateway": "manual"}],
    "financialStatus": "PAID",
    "customer": {"email": "ada@example.com", "firstName": "Ada"},
    "discountCode": {"code": "WELCOME", "type": "percentage", "percentage": 10},
    "currency": "EUR",
}


def test_created_once_with_the_source_key_then_found_again():
    shop = FakeShop()
    [gid] = write(shop, ORDER)
    created = shop.orders[gid]["input"]
    assert created["sourceIdentifier"] == "SO-1" and created["sourceName"] == "shopify-sync"
    assert created["lineItems"][0] == {
        "quantity": 2,
        "variantId": "gid://shopify/ProductVariant/7",
        "sku": "TEE-M",
    }
    assert created["lineItems"][1]["priceSet"] == {"shopMoney": {"amount": "3.5", "currencyCode": "EUR"}}
    assert created["customer"] == {"toUpsert": {"email": "ada@example.com", "firstName": "Ada"}}
    assert created["discountCode"] == {"itemPercentageDiscountCode": {"code": "WELCOME", "percentage": 10.0}}
    assert write(shop, ORDER) == [gid]
    assert shop.calls.count(ORDER_CREATE) == 1 and len(shop.orders) == 1


def test_a_lost_answer_is_never_a_second_order():
    shop = FakeShop()
    shop.lose_next_create = True
    with pytest.raises(NetworkError):
        write(shop, ORDER)
    [gid] = write(shop, ORDER)  # the retry looks first, and finds the order the lost answer created
    assert len(shop.orders) == 1 and gid in shop.orders


def test_a_lost_answer_while_search_lags_waits_instead_of_creating_again():
    lookups = LookupCache(fakeredis.FakeRedis(), Keys("t"))
    shop = FakeShop()
    shop.lose_next_create = True
    shop.search_hides = 2
    with pytest.raises(NetworkError):
        write(shop, ORDER, lookups=lookups)
    with pytest.raises(
        OutcomeUnknownError, match="may have committed"
    ) as waiting:  # search cannot see it yet
        write(shop, ORDER, lookups=lookups)
    assert 0 < waiting.value.retry_after_s <= 15  # retried once the search has had time; no attempt used
    shop.search_hides = 1
    with pytest.raises(OutcomeUnknownError):
        write(shop, ORDER, lookups=lookups)
    [gid] = write(shop, ORDER, lookups=lookups)  # the index caught up
    assert shop.calls.count(ORDER_CREATE) == 1 and list(shop.orders) == [gid]


def test_orders_this_connector_created_are_found_in_the_ledger_without_searching():
    lookups = LookupCache(fakeredis.FakeRedis(), Keys("t"))
    shop = FakeShop()
    [gid] = write(shop, ORDER, lookups=lookups)
    shop.search_hides = 5
    shop.calls.clear()
    assert write(shop, ORDER, lookups=lookups) == [gid]
    assert FIND_ORDER not in shop.calls and ORDER_CREATE not in shop.calls and ORDER_BY_ID in shop.calls


def test_later_changes_update_and_change_status_only_when_needed():
    shop = FakeShop()
    [gid] = write(shop, {**ORDER, "financialStatus": "PENDING"})
    change = {
        **ORDER,
        "note": "gift",
        "tags": "vip, late",
        "closed": "yes",
        "markAsPaid": True,
        "cancel": {"reason": "CUSTOMER", "restock": True},
    }
    assert write(shop, change) == [gid]
    order = shop.orders[gid]
    assert order["input"]["note"] == "gift" and order["input"]["tags"] == ["vip", "late"]
    assert order["closed"] and order["displayFinancialStatus"] == "PAID" and order["cancelledAt"]
    calls_before = len(shop.calls)
    write(shop, change)
    assert set(shop.calls[calls_before:]) == {FIND_ORDER}  # nothing changed since: no update, no status


def test_user_errors_come_back_per_record():
    [error] = write(FakeShop(), {"sourceIdentifier": "SO-9", "lineItems": []})
    assert isinstance(error, UserErrorsError) and error.code == "INVALID"


@pytest.mark.parametrize(
    ("record", "needle"),
    [
        ({"lineItems": [{"quantity": 1}]}, "sku, a variantId, or a title and a price"),
        ({"lineItems": [{"sku": "A", "quantity": 0}]}, "quantity"),
        ({"currency": "euro"}, "currency"),
        ({"taxLines": [{"title": "VAT", "rate": 20}]}, "rate"),
        ({"cancel": {"reason": "BORED"}}, "reason"),
    ],
)
def test_invalid_orders(record, needle):
    with pytest.raises(RecordInvalidError) as exc:
        orders.validate(record)
    assert needle in str(exc.value)


def test_an_order_another_worker_is_creating_right_now_is_not_created_again():
    lookups = LookupCache(fakeredis.FakeRedis(), Keys("t"))
    shop = FakeShop()
    # Another copy of the task, in another worker, has just claimed the create (an atomic SET in Redis).
    assert lookups.claim("acme", "order-create", "SO-1", time.time(), hold_s=15, ttl_s=60) is None
    with pytest.raises(OutcomeUnknownError):
        write(shop, ORDER, lookups=lookups)
    assert ORDER_CREATE not in shop.calls


def test_a_ledger_claim_holds_for_its_window_then_can_be_taken_again():
    lookups = LookupCache(fakeredis.FakeRedis(), Keys("t"))
    assert lookups.claim("acme", "order-create", "SO-1", 100.0, hold_s=15, ttl_s=60) is None
    assert lookups.claim("acme", "order-create", "SO-1", 110.0, hold_s=15, ttl_s=60) == 100.0
    assert lookups.claim("acme", "order-create", "SO-1", 116.0, hold_s=15, ttl_s=60) is None


def test_an_update_sends_only_what_the_record_sets_and_shopify_does_not_hold():
    from worker.resources.order_changes import changed_fields

    record = get_resource("orders").validate(
        {
            "sourceIdentifier": "SO-1",
            "currency": "USD",
            "email": "a@example.com",
            "note": "new note",
            "tags": ["b", "a"],
            "shippingAddress": {"city": "Ottawa", "countryCode": "CA"},
            "lineItems": [{"title": "x", "quantity": 1, "price": "1.00"}],
        }
    )
    held = {
        "email": "a@example.com",
        "note": "old note",
        "tags": ["a", "b"],
        "shippingAddress": {"city": "Ottawa", "countryCodeV2": "CA", "lastName": None, "zip": None},
        "customAttributes": [{"key": "gift", "value": "yes"}],
    }
    # Unchanged email, tags and address are not sent (Shopify would validate the address again), custom
    # attributes the mapping does not set are left alone, and the changed note goes.
    assert changed_fields(record, held) == {"note": "new note"}
    moved = {**held, "shippingAddress": {"city": "Toronto", "countryCodeV2": "CA"}}
    assert changed_fields(record, moved)["shippingAddress"] == {"city": "Ottawa", "countryCode": "CA"}


def test_an_order_an_unclear_create_committed_is_taken_as_written_without_an_update():
    # orderUpdate checks a shipping address more strictly than orderCreate: updating the order our own
    # lost answer created would dead-letter a valid record (found by the chaos run's 5xx after commit).
    lookups = LookupCache(fakeredis.FakeRedis(), Keys("t"))
    shop = FakeShop()
    shop.lose_next_create = True
    with pytest.raises(NetworkError):
        write(shop, ORDER, lookups=lookups)
    shop.calls.clear()
    [gid] = write(shop, ORDER, lookups=lookups)
    assert gid in shop.orders and ORDER_UPDATE not in shop.calls and ORDER_CREATE not in shop.calls
    assert lookups.get_many("acme", "order", ["SO-1"]) == {"SO-1": gid}  # the ledger learnt it
    assert lookups.get_many("acme", "order-create", ["SO-1"]) == {}


def test_an_unchanged_shipping_address_is_not_sent_again():
    shop = FakeShop()
    address = {"firstName": "Ada", "city": "Ottawa", "countryCode": "CA"}  # no lastName, no zip
    [gid] = write(shop, {**ORDER, "shippingAddress": address, "note": "a"})
    shop.calls.clear()
    assert write(shop, {**ORDER, "shippingAddress": address, "note": "b"}) == [gid]
    sent = shop.orders[gid]["input"]
    assert ORDER_UPDATE in shop.calls and sent["note"] == "b"
    assert "lastName" not in sent["shippingAddress"]  # still the created one: the update left it out
    moved = {**address, "city": "Toronto", "lastName": "Lovelace"}
    assert write(shop, {**ORDER, "shippingAddress": moved, "note": "b"}) == [gid]
    assert shop.orders[gid]["input"]["shippingAddress"]["city"] == "Toronto"  # a change is sent
