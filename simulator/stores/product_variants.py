"""``ProductVariantSetInput`` -> variant and inventory-item fields, and their checks.

Only the fields present in an input entry are returned, so an existing variant keeps what the
entry leaves out. ``sku`` may come on the variant or on ``inventoryItem`` (the variant's wins).
A negative cost is ``INVALID_VARIANT`` (observed); the other messages are the simulator's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from simulator.stores.common import UserError
from simulator.stores.inventory_rules import NAMES
from simulator.stores.money import money_string, parse_decimal

INVALID_VARIANT = "INVALID_VARIANT"
# FACTS.md, "More observed on live stores" (line 144): variant cost has an upper bound ("Cost per
# item..."); the bound and the rest of the message are a guess.
MAX_COST = Decimal("1000000000000000")


def check_variant_fields(
    variants: Sequence[Mapping[str, Any]], location_exists: Callable[[str], bool]
) -> list[UserError]:
    """Check prices, cost and ``inventoryQuantities`` of every variant entry."""
    errors: list[UserError] = []
    for index, entry in enumerate(variants):
        here = ("input", "variants", str(index))
        for key, label in (("price", "Price"), ("compareAtPrice", "Compare at price")):
            errors += _money_errors(entry, key, label, (*here, key))
        item = entry.get("inventoryItem") or {}
        if "cost" in item and item["cost"] is not None:
            cost = parse_decimal(item["cost"])
            if cost is None or cost < 0:
                message = "Cost must be greater than or equal to 0"
                errors.append(UserError((*here, "inventoryItem", "cost"), message, INVALID_VARIANT))
            elif cost >= MAX_COST:
                message = f"Cost per item must be less than {MAX_COST}"
                errors.append(UserError((*here, "inventoryItem", "cost"), message, INVALID_VARIANT))
        for q_index, quantity in enumerate(entry.get("inventoryQuantities") or []):
            where = (*here, "inventoryQuantities", str(q_index))
            if not location_exists(str(quantity["locationId"])):
                message = "The specified location could not be found."
                errors.append(UserError((*where, "locationId"), message, INVALID_VARIANT))
            if quantity["name"] not in NAMES:
                message = "The quantity name must be either 'available' or 'on_hand'."
                errors.append(UserError((*where, "name"), message, INVALID_VARIANT))
    return errors


def variant_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Return the variant fields an input entry sets (normalised)."""
    fields: dict[str, Any] = {}
    for key in ("price", "compareAtPrice"):
        if key in entry:
            amount = parse_decimal(entry[key])
            fields[key] = money_string(amount) if amount is not None else None
    for key in ("barcode", "taxable", "inventoryPolicy"):
        if key in entry:
            fields[key] = entry[key]
    sku = entry.get("sku") if "sku" in entry else (entry.get("inventoryItem") or {}).get("sku")
    if "sku" in entry or "sku" in (entry.get("inventoryItem") or {}):
        fields["sku"] = sku or None
    return fields


def item_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Return the inventory-item fields an input entry sets (cost, tracked, shipping, weight, sku)."""
    item = entry.get("inventoryItem") or {}
    fields: dict[str, Any] = {key: item[key] for key in ("tracked", "requiresShipping") if key in item}
    if "cost" in item:
        cost = parse_decimal(item["cost"])
        fields["unitCost"] = None if cost is None else str(cost)
    for key in ("countryCodeOfOrigin", "harmonizedSystemCode"):
        if key in item:
            fields[key] = item[key]
    measurement = item.get("measurement")
    if measurement is not None and "weight" in measurement:
        weight = measurement["weight"]
        fields["weight"] = (
            None if weight is None else {"value": float(weight["value"]), "unit": weight["unit"]}
        )
    variant = variant_fields(entry)
    if "sku" in variant:
        fields["sku"] = variant["sku"]
    return fields


def new_variant_defaults() -> dict[str, Any]:
    """Return the fields of a variant the input does not set (Shopify's defaults)."""
    return {
        "price": "0.00",
        "compareAtPrice": None,
        "sku": None,
        "barcode": None,
        "taxable": True,
        "inventoryPolicy": "DENY",
    }


def _money_errors(entry: Mapping[str, Any], key: str, label: str, where: tuple[str, ...]) -> list[UserError]:
    if key not in entry or entry[key] is None:
        return []
    amount = parse_decimal(entry[key])
    if amount is None:
        return [UserError(where, f"{label} is invalid", INVALID_VARIANT)]
    if amount < 0:
        return [UserError(where, f"{label} must be greater than or equal to 0", INVALID_VARIANT)]
    return []
