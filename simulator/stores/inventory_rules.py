"""Validation of ``inventorySetQuantities`` input, with Shopify's codes, messages and field paths.

From live 2026-04 captures (docs/simulator.md, *Inventory*): per-entry errors point at
``["input", "quantities", "<i>", "<field>"]``; a duplicate (item, location) pair flags every
entry of the pair; ``on_hand`` cannot be set below zero while ``available`` can; quantities
are bounded to +-1,000,000,000; ``reason`` must be one of ``REASONS``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from simulator.stores.common import UserError

NAMES = ("available", "on_hand")
REASONS = (
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_canceled",
    "movement_created",
    "movement_received",
    "movement_updated",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
)
MAX_QUANTITY = 1_000_000_000
REASON_MESSAGE = "The specified reason is invalid. Valid values are: " + ", ".join(REASONS) + "."

Current = Callable[[str, str], int | None]  # (item id, location id) -> quantity, None if not stocked


def check_header(input: Mapping[str, Any]) -> list[UserError]:
    """Check ``name``, ``reason`` and ``referenceDocumentUri``."""
    errors: list[UserError] = []
    if input.get("name") not in NAMES:
        message = "The quantity name must be either 'available' or 'on_hand'."
        errors.append(UserError(("input", "name"), message, "INVALID_NAME"))
    if input.get("reason") not in REASONS:
        errors.append(UserError(("input", "reason"), REASON_MESSAGE, "INVALID_REASON"))
    uri = input.get("referenceDocumentUri")
    if uri is not None and "://" not in str(uri):
        message = "The specified reference document is invalid."
        errors.append(UserError(("input", "referenceDocumentUri"), message, "INVALID_REFERENCE_DOCUMENT"))
    return errors


def check_quantities(
    quantities: Sequence[Mapping[str, Any]],
    name: str,
    item_exists: Callable[[str], bool],
    location_exists: Callable[[str], bool],
    current: Current,
) -> list[UserError]:
    """Check every entry; all problems of all entries are reported together."""
    pairs = Counter((str(q["inventoryItemId"]), str(q["locationId"])) for q in quantities)
    errors: list[UserError] = []
    for index, entry in enumerate(quantities):
        errors += _entry_errors(index, entry, name, pairs, item_exists, location_exists, current)
    return errors


def _entry_errors(
    index: int,
    entry: Mapping[str, Any],
    name: str,
    pairs: Counter[tuple[str, str]],
    item_exists: Callable[[str], bool],
    location_exists: Callable[[str], bool],
    current: Current,
) -> list[UserError]:
    def at(field: str) -> tuple[str, ...]:
        return ("input", "quantities", str(index), field)

    item_id, location_id = str(entry["inventoryItemId"]), str(entry["locationId"])
    quantity = int(entry["quantity"])
    errors: list[UserError] = []
    known_item, known_location = item_exists(item_id), location_exists(location_id)
    if not known_item:
        errors.append(
            UserError(
                at("inventoryItemId"),
                "The specified inventory item could not be found.",
                "INVALID_INVENTORY_ITEM",
            )
        )
    if not known_location:
        errors.append(
            UserError(at("locationId"), "The specified location could not be found.", "INVALID_LOCATION")
        )
    stocked = current(item_id, location_id) if known_item and known_location else None
    if known_item and known_location and stocked is None:
        message = "The specified inventory item is not stocked at the location."
        errors.append(UserError(at("locationId"), message, "ITEM_NOT_STOCKED_AT_LOCATION"))
    if quantity > MAX_QUANTITY:
        message = "The quantity can't be higher than 1,000,000,000."
        errors.append(UserError(at("quantity"), message, "INVALID_QUANTITY_TOO_HIGH"))
    elif quantity < -MAX_QUANTITY:
        message = "The quantity can't be lower than -1,000,000,000."
        errors.append(UserError(at("quantity"), message, "INVALID_QUANTITY_TOO_LOW"))
    elif quantity < 0 and name == "on_hand":
        errors.append(
            UserError(at("quantity"), "The quantity can't be negative.", "INVALID_QUANTITY_NEGATIVE")
        )
    if pairs[(item_id, location_id)] > 1:
        message = "The combination of inventoryItemId and locationId must be unique."
        errors.append(UserError(at("locationId"), message, "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"))
    expected = entry.get("changeFromQuantity")
    if expected is not None and stocked is not None and int(expected) != stocked:
        message = "The changeFromQuantity value does not match persisted value."
        errors.append(UserError(at("changeFromQuantity"), message, "CHANGE_FROM_QUANTITY_STALE"))
    return errors


def missing_change_from(quantities: Sequence[Mapping[str, Any]]) -> bool:
    """Return whether an entry leaves ``changeFromQuantity`` out (``null`` counts as given)."""
    return any("changeFromQuantity" not in entry for entry in quantities)
