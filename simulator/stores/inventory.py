"""Inventory items, their levels at locations, and ``inventorySetQuantities``.

An inventory item belongs to one product variant (``ProductStore`` creates and deletes them); a
new one is not tracked unless its input says so (observed for ``productCreate``).
A level holds the named quantities of an item at a location. As observed on live stores,
setting ``available`` or ``on_hand`` moves both by the same delta (nothing is committed or
reserved unless an order took stock: ``on_hand = available + committed``); a set that changes
nothing answers ``inventoryAdjustmentGroup: null`` without user errors.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.stores import inventory_rules as rules
from simulator.stores.common import UserError, gid, parse_gid, utc_timestamp

QUANTITY_NAMES = (
    "available",
    "on_hand",
    "committed",
    "incoming",
    "reserved",
    "damaged",
    "safety_stock",
    "quality_control",
)


@dataclass
class SetResult:
    """Outcome of ``inventorySetQuantities``: the adjustment group (``None``: nothing changed) or errors."""

    group: dict[str, Any] | None
    user_errors: list[UserError] = field(default_factory=list)


class InventoryStore:
    """Inventory items, levels and adjustment groups of one shop.

    Args:
        lock: The shop's data lock.
        location_exists: Whether a location gid belongs to the shop.

    """

    def __init__(self, lock: threading.RLock, location_exists: Callable[[str], bool]) -> None:
        self._lock = lock
        self._location_exists = location_exists
        self._items: dict[str, dict[str, Any]] = {}
        self._levels: dict[tuple[str, str], dict[str, Any]] = {}
        self._groups: dict[str, dict[str, Any]] = {}
        self._item_numbers = itertools.count(1)
        self._level_numbers = itertools.count(1)
        self._group_numbers = itertools.count(1)

    # Items -------------------------------------------------------------------------------

    def create_item(self, variant_id: str, fields: Mapping[str, Any]) -> str:
        """Create the inventory item of a new variant and return its gid."""
        now = utc_timestamp()
        item_id = gid("InventoryItem", next(self._item_numbers))
        with self._lock:
            self._items[item_id] = {
                "id": item_id,
                "variantId": variant_id,
                "sku": None,
                "tracked": False,
                "requiresShipping": True,
                "unitCost": None,
                "weight": None,
                "createdAt": now,
                "updatedAt": now,
                **fields,
            }
        return item_id

    def update_item(self, item_id: str, fields: Mapping[str, Any]) -> None:
        """Change some fields of an item."""
        with self._lock:
            self._items[item_id].update(fields, updatedAt=utc_timestamp())

    def delete_item(self, item_id: str) -> None:
        """Delete an item with all its levels (its variant was deleted)."""
        with self._lock:
            self._items.pop(item_id, None)
            for key in [key for key in self._levels if key[0] == item_id]:
                del self._levels[key]

    def item(self, item_id: str) -> dict[str, Any] | None:
        """Return the item with this gid, or ``None``."""
        with self._lock:
            found = self._items.get(item_id)
            return copy.deepcopy(found) if found else None

    # Levels ------------------------------------------------------------------------------

    def stock(self, item_id: str, location_id: str) -> None:
        """Make sure the item is stocked at the location (a level with zero quantities)."""
        with self._lock:
            if (item_id, location_id) in self._levels:
                return
            now = utc_timestamp()
            number = parse_gid(item_id)
            self._levels[(item_id, location_id)] = {
                "id": gid(
                    "InventoryLevel",
                    next(self._level_numbers),
                    f"?inventory_item_id={number[1] if number else 0}",
                ),
                "itemId": item_id,
                "locationId": location_id,
                "createdAt": now,
                "updatedAt": now,
                "quantities": dict.fromkeys(QUANTITY_NAMES, 0),
            }

    def unstock(self, item_id: str, location_id: str) -> None:
        """Remove the item's level at a location (for tests of ``ITEM_NOT_STOCKED_AT_LOCATION``)."""
        with self._lock:
            self._levels.pop((item_id, location_id), None)

    def level(self, item_id: str, location_id: str) -> dict[str, Any] | None:
        """Return the item's level at a location, or ``None`` when it is not stocked there."""
        with self._lock:
            found = self._levels.get((item_id, location_id))
            return copy.deepcopy(found) if found else None

    def levels(self, item_id: str | None = None) -> list[dict[str, Any]]:
        """Return every level (of one item when ``item_id`` is given), in creation order."""
        with self._lock:
            return [copy.deepcopy(lv) for key, lv in self._levels.items() if item_id in (None, key[0])]

    def quantity(self, item_id: str, location_id: str, name: str = "available") -> int | None:
        """Return one named quantity, or ``None`` when the item is not stocked there."""
        with self._lock:
            found = self._levels.get((item_id, location_id))
            return None if found is None else int(found["quantities"].get(name, 0))

    def set_quantity(self, item_id: str, location_id: str, name: str, quantity: int) -> None:
        """Set ``available`` or ``on_hand`` (stocking the item first); the other moves by the same delta."""
        with self._lock:
            self.stock(item_id, location_id)
            current = self.quantity(item_id, location_id, name) or 0
            self._move(item_id, location_id, quantity - current)

    def commit(self, item_id: str, location_id: str, quantity: int) -> None:
        """Move ``quantity`` from available to committed (an order took stock); negative undoes it."""
        with self._lock:
            self.stock(item_id, location_id)
            level = self._levels[(item_id, location_id)]
            level["quantities"]["available"] -= quantity
            level["quantities"]["committed"] += quantity
            level["updatedAt"] = utc_timestamp()

    def total_available(self, item_id: str) -> int:
        """Return the item's ``available`` summed over locations."""
        with self._lock:
            return sum(
                int(lv["quantities"]["available"]) for key, lv in self._levels.items() if key[0] == item_id
            )

    # inventorySetQuantities --------------------------------------------------------------

    def set_quantities(self, input: Mapping[str, Any]) -> SetResult:
        """Run ``inventorySetQuantities`` (the ``@idempotent`` key is handled by the caller)."""
        with self._lock:
            errors = rules.check_header(input)
            name = str(input.get("name"))
            quantities = list(input.get("quantities") or [])
            errors += rules.check_quantities(
                quantities,
                name,
                lambda item_id: item_id in self._items,
                self._location_exists,
                lambda item_id, location_id: self.quantity(
                    item_id, location_id, name if name in rules.NAMES else "available"
                ),
            )
            if errors:
                return SetResult(None, errors)
            changes: list[dict[str, Any]] = []
            for entry in quantities:
                item_id, location_id = str(entry["inventoryItemId"]), str(entry["locationId"])
                delta = int(entry["quantity"]) - (self.quantity(item_id, location_id, name) or 0)
                if delta:
                    self._move(item_id, location_id, delta)
                    changes += [_change(n, delta, item_id, location_id) for n in rules.NAMES]
            if not changes:
                return SetResult(None)
            group = {
                "id": gid("InventoryAdjustmentGroup", next(self._group_numbers)),
                "createdAt": utc_timestamp(),
                "reason": input["reason"],
                "referenceDocumentUri": input.get("referenceDocumentUri"),
                "changes": changes,
            }
            self._groups[group["id"]] = group
            return SetResult(copy.deepcopy(group))

    def group(self, group_id: str) -> dict[str, Any] | None:
        """Return an adjustment group by gid."""
        with self._lock:
            found = self._groups.get(group_id)
            return copy.deepcopy(found) if found else None

    def _move(self, item_id: str, location_id: str, delta: int) -> None:
        level = self._levels[(item_id, location_id)]
        for name in rules.NAMES:
            level["quantities"][name] += delta
        level["updatedAt"] = utc_timestamp()


def _change(name: str, delta: int, item_id: str, location_id: str) -> dict[str, Any]:
    return {
        "name": name,
        "delta": delta,
        "itemId": item_id,
        "locationId": location_id,
        "quantityAfterChange": None,
        "ledgerDocumentUri": None,
    }
