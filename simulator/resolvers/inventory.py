"""Resolvers for locations, inventory items and levels, and ``inventorySetQuantities``.

``inventorySetQuantities`` must carry ``@idempotent(key:)`` (from 2026-04) and every quantity
must give ``changeFromQuantity`` (``null`` skips the compare-and-set); both are top-level
errors when missing, with the bodies observed on live stores. A key reused with the same
input replays the first answer without running again; with other input it is
``IDEMPOTENCY_KEY_PARAMETER_MISMATCH``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from simulator.resolvers import Resolver
from simulator.resolvers.context import context_of, idempotency_key, record_mutation, require_scope
from simulator.resolvers.limits import check_input_sizes
from simulator.resolvers.records import legacy_id, sorted_connection
from simulator.stores.common import UserError
from simulator.stores.idempotency import MISMATCH, MISMATCH_MESSAGE
from simulator.stores.inventory_rules import missing_change_from
from simulator.stores.money import money_v2, parse_decimal

LOCATION_SORTS = {"NAME": lambda loc: str(loc["name"]).lower()}
MUTATION = "inventorySetQuantities"


def resolve_locations(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``locations(first:, ..., sortKey: NAME, query:)``."""
    require_scope(info, "read_locations")
    found = context_of(info).shop.locations.search(args.get("query"))
    return sorted_connection(found, args, LOCATION_SORTS, "NAME")


def resolve_location(_root: Any, info: GraphQLResolveInfo, id: str | None = None) -> dict[str, Any] | None:
    """``location(id:)``; without an id, the shop's primary location."""
    require_scope(info, "read_locations")
    locations = context_of(info).shop.locations
    return locations.primary() if id is None else locations.get(id)


def resolve_inventory_item(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """``inventoryItem(id:)``."""
    require_scope(info, "read_inventory")
    return context_of(info).shop.inventory.item(id)


def resolve_set_quantities(_root: Any, info: GraphQLResolveInfo, input: Mapping[str, Any]) -> dict[str, Any]:
    """``inventorySetQuantities(input:) @idempotent(key:)``."""
    require_scope(info, "write_inventory")
    key = idempotency_key(info)
    if key is None:
        raise GraphQLError(
            "The @idempotent directive is required for this mutation but was not provided.",
            info.field_nodes,
            extensions={"code": "BAD_REQUEST"},
        )
    if not key.strip():
        raise GraphQLError(
            "The idempotency key cannot be an empty string or whitespace only.",
            info.field_nodes,
            extensions={"code": "BAD_REQUEST"},
        )
    check_input_sizes(info, {"input": input})
    if missing_change_from(input.get("quantities") or []):
        raise GraphQLError(
            "InventoryQuantityInput must include the following argument: changeFromQuantity.",
            info.field_nodes,
            extensions={"code": "INVALID_FIELD_ARGUMENTS"},
        )
    context = record_mutation(info)
    shop = context.shop
    replayed, answer = shop.idempotency.lookup(MUTATION, key, input)
    if replayed:
        if answer is MISMATCH:
            error = UserError(None, MISMATCH_MESSAGE, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")
            return {"inventoryAdjustmentGroup": None, "userErrors": [error.to_graphql()]}
        return dict(answer)
    result = shop.inventory.set_quantities(input)
    if not result.user_errors:
        changes = (result.group or {}).get("changes") or ()
        shop.inventory_applies.record(key, ((c["itemId"], c["locationId"]) for c in changes))
    payload = {
        "inventoryAdjustmentGroup": result.group,
        "userErrors": [error.to_graphql() for error in result.user_errors],
    }
    shop.idempotency.remember(MUTATION, key, input, payload)
    return dict(payload)


def resolve_changes(group: Mapping[str, Any], _info: GraphQLResolveInfo, **args: Any) -> list[dict[str, Any]]:
    """``InventoryAdjustmentGroup.changes(inventoryItemIds:, locationIds:, quantityNames:)``."""
    wanted = {
        key: set(args[key]) for key in ("inventoryItemIds", "locationIds", "quantityNames") if args.get(key)
    }
    changes = []
    for change in group["changes"]:
        if change["itemId"] not in wanted.get("inventoryItemIds", {change["itemId"]}):
            continue
        if change["locationId"] not in wanted.get("locationIds", {change["locationId"]}):
            continue
        if change["name"] not in wanted.get("quantityNames", {change["name"]}):
            continue
        changes.append(change)
    return changes


def resolve_item_level(
    item: Mapping[str, Any],
    info: GraphQLResolveInfo,
    locationId: str,
    includeInactive: bool = False,
) -> dict[str, Any] | None:
    """``InventoryItem.inventoryLevel(locationId:)``: ``null`` where the item is not stocked."""
    return context_of(info).shop.inventory.level(item["id"], locationId)


def resolve_item_levels(item: Mapping[str, Any], info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``InventoryItem.inventoryLevels(...)``: the item's levels, one per stocked location."""
    levels = context_of(info).shop.inventory.levels(item["id"])
    return sorted_connection(levels, args, {}, "ID")


def resolve_quantities(
    level: Mapping[str, Any], _info: GraphQLResolveInfo, names: list[str]
) -> list[dict[str, Any]]:
    """``InventoryLevel.quantities(names:)``: the named quantities known to the simulator, in order."""
    number = str(level["id"]).split("?", 1)[0].rsplit("/", 1)[-1]
    return [
        {
            "id": f"gid://shopify/InventoryQuantity/{number}?name={name}",
            "name": name,
            "quantity": level["quantities"][name],
            "updatedAt": level["updatedAt"],
        }
        for name in names
        if name in level["quantities"]
    ]


def resolve_unit_cost(item: Mapping[str, Any], _info: GraphQLResolveInfo) -> dict[str, Any] | None:
    """``InventoryItem.unitCost`` as ``MoneyV2``."""
    cost = parse_decimal(item.get("unitCost"))
    return None if cost is None else money_v2(cost)


RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("QueryRoot", "locations"): resolve_locations,
    ("QueryRoot", "location"): resolve_location,
    ("QueryRoot", "inventoryItem"): resolve_inventory_item,
    ("Mutation", "inventorySetQuantities"): resolve_set_quantities,
    ("InventoryAdjustmentGroup", "changes"): resolve_changes,
    ("InventoryChange", "item"): lambda c, info: context_of(info).shop.inventory.item(c["itemId"]),
    ("InventoryChange", "location"): lambda c, info: context_of(info).shop.locations.get(c["locationId"]),
    ("InventoryItem", "legacyResourceId"): legacy_id,
    ("InventoryItem", "inventoryLevel"): resolve_item_level,
    ("InventoryItem", "inventoryLevels"): resolve_item_levels,
    ("InventoryItem", "unitCost"): resolve_unit_cost,
    ("InventoryItem", "measurement"): lambda item, _i: {
        "id": str(item["id"]).replace("InventoryItem", "InventoryItemMeasurement"),
        "weight": item.get("weight"),
    },
    ("InventoryItem", "variant"): lambda item, info: context_of(info).shop.products.variant(
        item["variantId"]
    ),
    ("InventoryLevel", "item"): lambda lv, info: context_of(info).shop.inventory.item(lv["itemId"]),
    ("InventoryLevel", "location"): lambda lv, info: context_of(info).shop.locations.get(lv["locationId"]),
    ("InventoryLevel", "quantities"): resolve_quantities,
    ("InventoryLevel", "isActive"): lambda _lv, _info: True,
    ("Location", "legacyResourceId"): legacy_id,
    ("Location", "inventoryLevel"): lambda loc, info, inventoryItemId, includeInactive=False: context_of(
        info
    ).shop.inventory.level(inventoryItemId, loc["id"]),
}
