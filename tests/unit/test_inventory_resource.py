"""Inventory writes against a scripted Shopify: lookups, caching, idempotency keys, per-entry errors."""

import asyncio

import fakeredis
import pytest

from worker.client import GraphQLResult
from worker.contract.keys import Keys
from worker.errors import UserErrorsError
from worker.lookups import LookupCache
from worker.resources import RecordInvalidError, WriteContext, get_resource
from worker.resources.inventory import INVENTORY_SET
from worker.resources.shopify_ids import LOCATIONS, VARIANTS_BY_SKU

inventory = get_resource("inventory")
LOCS = [
    {"id": "gid://shopify/Location/1", "name": "Main warehouse"},
    {"id": "gid://shopify/Location/2", "name": "Shop"},
]
VARIANTS = {
    f"SKU-{i}": (f"gid://shopify/ProductVariant/{i}", f"gid://shopify/InventoryItem/{i}") for i in range(5)
}


def result(data):
    return GraphQLResult(data, "req", 10, 10, None)


class FakeShopify:
    def __init__(self, reject=None):
        self.calls = []
        self.reject = reject or {}  # item gid -> (code, message), rejected by index

    async def __call__(self, document, variables, *, cost=None):
        self.calls.append((document, variables))
        if document == LOCATIONS:
            return result(
                {"locations": {"nodes": LOCS, "pageInfo": {"hasNextPage": False, "endCursor": None}}}
            )
        if document == VARIANTS_BY_SKU:
            wanted = [part.split(":", 1)[1].strip('"') for part in variables["query"].split(" OR ")]
            nodes = [
                {"id": VARIANTS[s][0], "sku": s, "inventoryItem": {"id": VARIANTS[s][1]}}
                for s in wanted
                if s in VARIANTS
            ]
            return result({"productVariants": {"nodes": nodes}})
        assert document == INVENTORY_SET
        errors = [
            {
                "field": ["input", "quantities", str(i), "changeFromQuantity"],
                "message": self.reject[q["inventoryItemId"]][1],
                "code": self.reject[q["inventoryItemId"]][0],
            }
            for i, q in enumerate(variables["input"]["quantities"])
            if q["inventoryItemId"] in self.reject
        ]
        return result(
            {
                "inventorySetQuantities": {
                    "inventoryAdjustmentGroup": None if errors else {"id": "g"},
                    "userErrors": errors,
                }
            }
        )


def run(records, send, keys=None, lookups=None):
    models = [inventory.validate(r) for r in records]
    ctx = WriteContext(
        shop="acme",
        sync_id="s1",
        record_keys=tuple(keys or [str(i) for i in range(len(models))]),
        idempotency_key="unit-key",
        lookups=lookups,
    )
    return asyncio.run(inventory.write(models, send, ctx))


def test_one_call_sets_every_quantity_with_change_from_quantity_on_each():
    shopify = FakeShopify()
    out = run(
        [
            {"sku": "SKU-1", "location": "Main warehouse", "quantity": 5},
            {"sku": "SKU-2", "location": "Shop", "quantity": 7, "previousQuantity": 3},
            {
                "inventoryItemId": "gid://shopify/InventoryItem/9",
                "locationId": "gid://shopify/Location/2",
                "quantity": 1,
            },
        ],
        shopify,
    )
    assert out == [
        "gid://shopify/InventoryItem/1",
        "gid://shopify/InventoryItem/2",
        "gid://shopify/InventoryItem/9",
    ]
    [(_, variables)] = [c for c in shopify.calls if c[0] == INVENTORY_SET]
    quantities = variables["input"]["quantities"]
    assert [q["changeFromQuantity"] for q in quantities] == [None, 3, None]
    assert all("changeFromQuantity" in q for q in quantities)
    assert variables["input"]["name"] == "available" and variables["input"]["reason"] == "correction"
    assert variables["input"]["referenceDocumentUri"].endswith("/s1")
    assert variables["key"] == "unit-key-available-correction-0"


def test_unknown_sku_and_location_are_rejected_per_record():
    out = run(
        [
            {"sku": "NOPE", "location": "Main warehouse", "quantity": 1},
            {"sku": "SKU-1", "location": "Moon base", "quantity": 1},
            {"sku": "SKU-2", "location": "Shop", "quantity": 1},
        ],
        FakeShopify(),
    )
    assert isinstance(out[0], UserErrorsError) and "NOPE" in str(out[0])
    assert isinstance(out[1], UserErrorsError) and "Moon base" in str(out[1])
    assert out[2] == "gid://shopify/InventoryItem/2"


def test_rejected_entries_are_reported_and_the_rest_sent_again_under_a_new_key():
    shopify = FakeShopify(reject={"gid://shopify/InventoryItem/2": ("CHANGE_FROM_QUANTITY_STALE", "stale")})
    out = run(
        [{"sku": f"SKU-{i}", "location": "Shop", "quantity": 4, "previousQuantity": 1} for i in (1, 2, 3)],
        shopify,
    )
    assert out[0] == "gid://shopify/InventoryItem/1" and out[2] == "gid://shopify/InventoryItem/3"
    assert isinstance(out[1], UserErrorsError) and out[1].code == "CHANGE_FROM_QUANTITY_STALE"
    sets = [v for d, v in shopify.calls if d == INVENTORY_SET]
    assert [len(v["input"]["quantities"]) for v in sets] == [3, 2]
    assert sets[0]["key"] != sets[1]["key"]


def test_a_later_row_for_the_same_item_and_location_supersedes_the_earlier():
    out = run(
        [
            {"sku": "SKU-1", "location": "Shop", "quantity": 1},
            {"sku": "SKU-1", "location": "Shop", "quantity": 9},
        ],
        FakeShopify(),
        keys=["a", "b"],
    )
    assert isinstance(out[0], UserErrorsError) and out[0].code == "SUPERSEDED" and "record b" in str(out[0])
    assert out[1] == "gid://shopify/InventoryItem/1"


def test_lookups_are_cached_between_units():
    lookups = LookupCache(fakeredis.FakeRedis(), Keys("t"))
    first, second = FakeShopify(), FakeShopify()
    run([{"sku": "SKU-1", "location": "Shop", "quantity": 1}], first, lookups=lookups)
    run([{"sku": "SKU-1", "location": "Shop", "quantity": 2}], second, lookups=lookups)
    assert [d for d, _ in first.calls] == [VARIANTS_BY_SKU, LOCATIONS, INVENTORY_SET]
    assert [d for d, _ in second.calls] == [INVENTORY_SET]


@pytest.mark.parametrize(
    ("record", "needle"),
    [
        ({"location": "Shop", "quantity": 1}, "sku or an inventoryItemId"),
        ({"sku": "A", "quantity": 1}, "location"),
        ({"sku": "A", "location": "Shop", "quantity": 2_000_000_000}, "quantity"),
        ({"sku": "A", "location": "Shop", "quantity": 1, "reason": "because"}, "reason"),
    ],
)
def test_invalid_inventory_records(record, needle):
    with pytest.raises(RecordInvalidError) as exc:
        inventory.validate(record)
    assert needle in str(exc.value)


def test_a_cached_id_shopify_rejects_is_dropped_from_the_cache():
    lookups = LookupCache(fakeredis.FakeRedis(), Keys("t"))
    lookups.put_many(
        "acme", "sku", {"SKU-1": "gid://shopify/ProductVariant/1|gid://shopify/InventoryItem/404"}
    )
    shopify = FakeShopify(reject={"gid://shopify/InventoryItem/404": ("INVALID_INVENTORY_ITEM", "gone")})
    [out] = run([{"sku": "SKU-1", "location": "Shop", "quantity": 1}], shopify, lookups=lookups)
    assert isinstance(out, UserErrorsError) and out.code == "INVALID_INVENTORY_ITEM"
    assert lookups.get_many("acme", "sku", ["SKU-1"]) == {}
    # the replay resolves the SKU afresh
    assert run([{"sku": "SKU-1", "location": "Shop", "quantity": 1}], FakeShopify(), lookups=lookups) == [
        "gid://shopify/InventoryItem/1"
    ]
