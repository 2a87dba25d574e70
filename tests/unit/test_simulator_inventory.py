"""Locations, inventory levels and inventorySetQuantities (idempotency, compare-and-set, user errors)."""

import aiohttp
import pytest

from tests.unit.test_simulator_harness import SHOP, FakeClock, graphql, graphql_many, make_state, post, run
from tests.unit.test_simulator_products import created

WAREHOUSE, STORE_FRONT = "gid://shopify/Location/1", "gid://shopify/Location/2"
REASONS_MESSAGE = (
    "The specified reason is invalid. Valid values are: correction, cycle_count_available, damaged, "
    "movement_canceled, movement_created, movement_received, movement_updated, other, promotion, "
    "quality_control, received, reservation_created, reservation_deleted, reservation_updated, restock, "
    "safety_stock, shrinkage."
)


def stocked_item(state, sku="MUG-1"):
    product = created(state, _product(sku))
    return product["variants"]["nodes"][0]["inventoryItem"]["id"]


def _product(sku):
    return {
        "title": f"Item {sku}",
        "productOptions": [{"name": "Title", "values": [{"name": "Default Title"}]}],
        "variants": [{"optionValues": [{"optionName": "Title", "name": "Default Title"}], "sku": sku}],
    }


def quantity(item, location=WAREHOUSE, quantity=5, change_from=None):
    return {
        "inventoryItemId": item,
        "locationId": location,
        "quantity": quantity,
        "changeFromQuantity": change_from,
    }


def set_input(*quantities, name="available", reason="correction", uri="logistics://sync/1"):
    return {"name": name, "reason": reason, "referenceDocumentUri": uri, "quantities": list(quantities)}


def run_set(state, input, key="key-1", document="inventory_set"):
    answer = graphql(state, document, {"input": input, "key": key})
    assert answer.status == 200, answer.text
    return answer


def payload(answer):
    assert "errors" not in answer.body, answer.body
    return answer.data["inventorySetQuantities"]


def user_errors(answer):
    result = payload(answer)
    assert result["inventoryAdjustmentGroup"] is None
    return [(e["field"], e["message"], e["code"]) for e in result["userErrors"]]


def level(state, item, location=WAREHOUSE):
    inventory = state.shop(SHOP).inventory
    return {name: inventory.quantity(item, location, name) for name in ("available", "on_hand", "committed")}


def test_locations_are_listed_by_name():
    state = make_state()
    answer = graphql(state, "locations", {"first": 5})
    nodes = answer.data["locations"]["nodes"]
    assert [(n["id"], n["name"], n["isActive"]) for n in nodes] == [
        (WAREHOUSE, "Main warehouse", True),
        (STORE_FRONT, "Store front", True),
    ]
    found = graphql(state, "locations", {"first": 5, "query": "name:'Store front'"}).data["locations"][
        "nodes"
    ]
    assert [n["id"] for n in found] == [STORE_FRONT]


def test_set_available_moves_on_hand_too_and_costs_as_observed():
    state = make_state()
    item = stocked_item(state)
    answer = run_set(state, set_input(quantity(item, quantity=5)))
    group = payload(answer)["inventoryAdjustmentGroup"]
    assert (group["reason"], group["referenceDocumentUri"]) == ("correction", "logistics://sync/1")
    assert [(c["name"], c["delta"], c["quantityAfterChange"]) for c in group["changes"]] == [
        ("available", 5, None),
        ("on_hand", 5, None),
    ]
    assert group["changes"][0]["location"] == {"id": WAREHOUSE, "name": "Main warehouse"}
    assert (answer.cost["requestedQueryCost"], answer.cost["actualQueryCost"]) == (13, 13)  # as captured live
    assert level(state, item) == {"available": 5, "on_hand": 5, "committed": 0}
    on_hand = run_set(state, set_input(quantity(item, quantity=8), name="on_hand"), key="key-2")
    assert [c["delta"] for c in payload(on_hand)["inventoryAdjustmentGroup"]["changes"]] == [3, 3]
    assert level(state, item) == {"available": 8, "on_hand": 8, "committed": 0}


def test_small_selection_costs_ten():
    state = make_state()
    item = stocked_item(state)
    answer = run_set(state, set_input(quantity(item)), document="inventory_set_small")
    assert (answer.cost["requestedQueryCost"], answer.cost["actualQueryCost"]) == (10, 10)


def test_a_set_that_changes_nothing_answers_a_null_group():
    state = make_state()
    item = stocked_item(state)
    assert user_errors(run_set(state, set_input(quantity(item, quantity=0)))) == []


def test_change_from_quantity_compare_and_set():
    state = make_state()
    item = stocked_item(state)
    payload(run_set(state, set_input(quantity(item, quantity=5, change_from=0)), key="a"))
    stale = run_set(state, set_input(quantity(item, quantity=9, change_from=0)), key="b")
    assert user_errors(stale) == [
        (
            ["input", "quantities", "0", "changeFromQuantity"],
            "The changeFromQuantity value does not match persisted value.",
            "CHANGE_FROM_QUANTITY_STALE",
        )
    ]
    assert level(state, item)["available"] == 5
    payload(run_set(state, set_input(quantity(item, quantity=9, change_from=5)), key="c"))
    assert level(state, item)["available"] == 9


def test_missing_change_from_quantity_is_a_top_level_error():
    state = make_state()
    item = stocked_item(state)
    entry = {"inventoryItemId": item, "locationId": WAREHOUSE, "quantity": 5}
    body = run_set(state, set_input(entry)).body
    [error] = body["errors"]
    assert (
        error["message"] == "InventoryQuantityInput must include the following argument: changeFromQuantity."
    )
    assert (error["extensions"], error["path"]) == (
        {"code": "INVALID_FIELD_ARGUMENTS"},
        ["inventorySetQuantities"],
    )
    assert body["data"] == {"inventorySetQuantities": None}
    assert level(state, item)["available"] == 0


def test_missing_idempotent_directive_is_a_top_level_error():
    state = make_state()
    item = stocked_item(state)
    answer = graphql(state, "inventory_set_without_key", {"input": set_input(quantity(item))})
    [error] = answer.body["errors"]
    assert error["message"] == "The @idempotent directive is required for this mutation but was not provided."
    assert (error["extensions"], error["path"]) == ({"code": "BAD_REQUEST"}, ["inventorySetQuantities"])
    assert answer.data == {"inventorySetQuantities": None}
    assert (answer.cost["requestedQueryCost"], answer.cost["actualQueryCost"]) == (10, 10)
    assert level(state, item)["available"] == 0
    blank = run_set(state, set_input(quantity(item)), key="   ").body
    assert blank["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


def test_same_key_and_input_replays_without_running_again():
    state = make_state()
    item = stocked_item(state)
    input = set_input(quantity(item, quantity=5, change_from=0))
    first, second = graphql_many(state, [("inventory_set", {"input": input, "key": "k"})] * 2)
    assert second.data == first.data  # same group id: answered from the first run
    assert payload(first)["inventoryAdjustmentGroup"]["id"] == "gid://shopify/InventoryAdjustmentGroup/1"
    assert level(state, item)["available"] == 5
    fresh = run_set(state, input, key="other-key")  # a new key runs: stale now
    assert user_errors(fresh)[0][2] == "CHANGE_FROM_QUANTITY_STALE"


def test_same_key_with_other_input_is_a_mismatch():
    state = make_state()
    item = stocked_item(state)
    payload(run_set(state, set_input(quantity(item, quantity=5)), key="k"))
    mismatch = run_set(state, set_input(quantity(item, quantity=6)), key="k")
    message = "The same idempotency key cannot be used with different operation parameters."
    assert user_errors(mismatch) == [(None, message, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")]
    assert level(state, item)["available"] == 5


def test_keys_expire_after_24_hours():
    clock = FakeClock()
    state = make_state(clock=clock)
    item = stocked_item(state)
    payload(run_set(state, set_input(quantity(item, quantity=5)), key="k"))
    clock.advance(24 * 3600 + 1)
    payload(run_set(state, set_input(quantity(item, quantity=6)), key="k"))
    assert level(state, item)["available"] == 6


def test_a_replay_after_a_lost_answer_applies_once():
    state = make_state()
    item = stocked_item(state)
    state.drop_answers("inventorySetQuantities")
    input = set_input(quantity(item, quantity=4, change_from=0))

    async def scenario(client):
        with pytest.raises(aiohttp.ClientError):
            await post(client, "inventory_set", {"input": input, "key": "k"})
        return await post(client, "inventory_set", {"input": input, "key": "k"})

    retried = run(state, scenario)
    assert payload(retried)["inventoryAdjustmentGroup"]["id"] == "gid://shopify/InventoryAdjustmentGroup/1"
    assert level(state, item)["available"] == 4


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"reason": "because"}, (["input", "reason"], REASONS_MESSAGE, "INVALID_REASON")),
        (
            {"name": "damaged"},
            (["input", "name"], "The quantity name must be either 'available' or 'on_hand'.", "INVALID_NAME"),
        ),
        (
            {"referenceDocumentUri": "not a uri"},
            (
                ["input", "referenceDocumentUri"],
                "The specified reference document is invalid.",
                "INVALID_REFERENCE_DOCUMENT",
            ),
        ),
    ],
)
def test_header_errors(change, expected):
    state = make_state()
    item = stocked_item(state)
    assert user_errors(run_set(state, {**set_input(quantity(item)), **change})) == [expected]


@pytest.mark.parametrize(
    ("name", "amount", "expected"),
    [
        (
            "available",
            1_000_000_001,
            ("The quantity can't be higher than 1,000,000,000.", "INVALID_QUANTITY_TOO_HIGH"),
        ),
        (
            "available",
            -2_000_000_000,
            ("The quantity can't be lower than -1,000,000,000.", "INVALID_QUANTITY_TOO_LOW"),
        ),
        ("on_hand", -5, ("The quantity can't be negative.", "INVALID_QUANTITY_NEGATIVE")),
    ],
)
def test_quantity_bounds(name, amount, expected):
    state = make_state()
    item = stocked_item(state)
    errors = user_errors(run_set(state, set_input(quantity(item, quantity=amount), name=name)))
    assert errors == [(["input", "quantities", "0", "quantity"], *expected)]


def test_available_may_be_set_below_zero_as_observed():
    state = make_state()
    item = stocked_item(state)
    payload(run_set(state, set_input(quantity(item, quantity=-5, change_from=0))))
    assert level(state, item) == {"available": -5, "on_hand": -5, "committed": 0}


def test_duplicate_pairs_flag_every_entry():
    state = make_state()
    item = stocked_item(state)
    errors = user_errors(run_set(state, set_input(quantity(item, quantity=1), quantity(item, quantity=2))))
    message = "The combination of inventoryItemId and locationId must be unique."
    assert errors == [
        (
            ["input", "quantities", str(i), "locationId"],
            message,
            "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
        )
        for i in (0, 1)
    ]


def test_unknown_items_locations_and_unstocked_pairs():
    state = make_state()
    item = stocked_item(state)
    state.shop(SHOP).inventory.unstock(item, STORE_FRONT)
    errors = user_errors(
        run_set(
            state,
            set_input(
                quantity("gid://shopify/InventoryItem/42", "gid://shopify/Location/999999"),
                quantity(item, STORE_FRONT),
            ),
        )
    )
    assert errors == [
        (
            ["input", "quantities", "0", "inventoryItemId"],
            "The specified inventory item could not be found.",
            "INVALID_INVENTORY_ITEM",
        ),
        (
            ["input", "quantities", "0", "locationId"],
            "The specified location could not be found.",
            "INVALID_LOCATION",
        ),
        (
            ["input", "quantities", "1", "locationId"],
            "The specified inventory item is not stocked at the location.",
            "ITEM_NOT_STOCKED_AT_LOCATION",
        ),
    ]


def test_field_paths_point_at_the_entry_and_nothing_is_applied():
    state = make_state()
    items = [stocked_item(state, f"SKU-{i}") for i in range(5)]
    entries = [quantity(item, quantity=3) for item in items]
    entries[3]["quantity"] = 2_000_000_000
    assert [e[0] for e in user_errors(run_set(state, set_input(*entries)))] == [
        ["input", "quantities", "3", "quantity"]
    ]
    assert [level(state, item)["available"] for item in items] == [0] * 5


def test_more_than_250_quantities_is_an_input_size_error():
    state = make_state()
    item = stocked_item(state)
    body = run_set(state, set_input(*[quantity(item)] * 251)).body
    [error] = body["errors"]
    assert error["message"] == "The input array size of 251 is greater than the maximum allowed of 250."
    assert error["path"] == ["inventorySetQuantities", "input", "quantities"]
    assert error["extensions"] == {"code": "MAX_INPUT_SIZE_EXCEEDED"}


def test_levels_read_back():
    state = make_state()
    item = stocked_item(state)
    payload(run_set(state, set_input(quantity(item, quantity=7), quantity(item, STORE_FRONT, 2))))
    read = graphql(state, "inventory_levels", {"id": item, "locationId": WAREHOUSE}).data["inventoryItem"]
    assert read["variant"]["sku"] == "MUG-1"
    assert read["inventoryLevel"]["quantities"] == [
        {"name": "available", "quantity": 7},
        {"name": "on_hand", "quantity": 7},
        {"name": "committed", "quantity": 0},
    ]
    assert [
        (n["location"]["name"], n["quantities"][0]["quantity"]) for n in read["inventoryLevels"]["nodes"]
    ] == [
        ("Main warehouse", 7),
        ("Store front", 2),
    ]


def test_applies_are_counted_per_key_and_level_and_replays_are_not():
    state = make_state()
    item, other = stocked_item(state), stocked_item(state, "MUG-2")
    input = set_input(quantity(item, quantity=5, change_from=0))
    graphql_many(state, [("inventory_set", {"input": input, "key": "k"})] * 2)  # the second is a replay
    payload(run_set(state, set_input(quantity(item, quantity=7), quantity(other, quantity=1)), key="k2"))
    applies = state.shop(SHOP).inventory_applies
    assert applies.by_key() == {"k": 1, "k2": 1}
    assert applies.by_level() == {(item, WAREHOUSE): 2, (other, WAREHOUSE): 1}
