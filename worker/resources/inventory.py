"""Inventory levels, set with ``inventorySetQuantities`` (a task batch's quantities per call, idempotent).

A record sets one quantity (``available`` or ``on_hand``) of one item (SKU or inventory item id) at one
location (name or id). When the source supplies the quantity it last saw (``previousQuantity``), it is
sent as ``changeFromQuantity`` and Shopify refuses the write if the stock moved meanwhile
(compare-and-swap); otherwise ``changeFromQuantity`` is null, as Shopify requires it on every quantity.

Within one sync, a later record for the same quantity of the same item at the same location supersedes
the earlier one: the producer drops the earlier one (``supersede_key``), and a unit that still holds both
(one by SKU, one by item id) sends only the later. The earlier is marked superseded, not dead-lettered.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from worker.errors import UserError, UserErrorsError
from worker.resources.base import (
    RecordResult,
    Resource,
    Send,
    ShopifyInput,
    WriteContext,
    payload_errors,
    user_errors,
)
from worker.resources.shopify_ids import DOCUMENTS as LOOKUP_DOCUMENTS
from worker.resources.shopify_ids import location_ids, variants_by_sku

QUANTITY_BOUND = 1_000_000_000
REASONS = (
    "correction", "cycle_count_available", "damaged", "movement_canceled", "movement_created",
    "movement_received", "movement_updated", "other", "promotion", "quality_control", "received",
    "reservation_created", "reservation_deleted", "reservation_updated", "restock", "safety_stock",
    "shrinkage",
)  # fmt: skip
Quantity = Annotated[int, Field(ge=-QUANTITY_BOUND, le=QUANTITY_BOUND)]


class InventoryRecord(ShopifyInput):
    """One quantity to set."""

    sku: Annotated[str, Field(max_length=255)] | None = None
    inventory_item_id: Annotated[str, Field(pattern=r"^gid://shopify/InventoryItem/\d+$")] | None = None
    location: Annotated[str, Field(max_length=255)] | None = None
    location_id: Annotated[str, Field(pattern=r"^gid://shopify/Location/\d+$")] | None = None
    quantity: Quantity
    previous_quantity: Quantity | None = None
    name: Literal["available", "on_hand"] = "available"
    reason: Literal[REASONS] = "correction"  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _addressed(self) -> InventoryRecord:
        if not (self.sku or self.inventory_item_id):
            raise ValueError("needs a sku or an inventoryItemId")
        if not (self.location or self.location_id):
            raise ValueError("needs a location (name) or a locationId")
        return self


INVENTORY_SET = """
mutation InventorySet($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}
""".strip()


def _rejected(message: str, code: str = "NOT_FOUND") -> UserErrorsError:
    return user_errors((UserError(field=(), message=message, code=code),), "inventorySetQuantities")


class Inventory(Resource[InventoryRecord]):
    """Sets inventory quantities: a task batch's (at most 250) in one request per name and reason."""

    name = "inventory"
    model = InventoryRecord
    documents = (INVENTORY_SET, *LOOKUP_DOCUMENTS)
    chunk_size = 250

    def supersede_key(self, record: InventoryRecord) -> str | None:
        """The quantity's name, item (SKU or id) and location (name or id)."""
        item = f"id:{record.inventory_item_id}" if record.inventory_item_id else f"sku:{record.sku}"
        location = f"id:{record.location_id}" if record.location_id else f"name:{record.location}"
        return json.dumps([record.name, item, location])

    async def write(
        self, records: list[InventoryRecord], send: Send, ctx: WriteContext
    ) -> list[RecordResult]:
        """Resolve SKUs and locations, then set the unit's quantities in one call per (name, reason)."""
        results, entries = await self.resolve(records, send, ctx)
        groups: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
        for (_, item, location), i in entries.items():
            groups.setdefault((records[i].name, records[i].reason), []).append((i, item, location))
        for (name, reason), members in groups.items():
            for i, result in await self._set(name, reason, members, records, send, ctx):
                results[i] = result
        return [r if r is not None else _rejected("not written") for r in results]

    async def resolve(
        self, records: list[InventoryRecord], send: Send, ctx: WriteContext
    ) -> tuple[list[RecordResult | None], dict[tuple[str, str, str], int]]:
        """Each record's (name, item gid, location gid), or why it cannot be written.

        Returns:
            One result per record (None while it is still to be written: a refusal, or ``SUPERSEDED``
            when a later record of the unit sets the same quantity), and the (name, item, location) of
            each record still to write -> its index.
        """
        results: list[RecordResult | None] = [None] * len(records)
        items = await variants_by_sku(
            [r.sku for r in records if r.sku and not r.inventory_item_id], send, ctx
        )
        locations = await location_ids(
            [r.location for r in records if r.location and not r.location_id], send, ctx
        )
        entries: dict[tuple[str, str, str], int] = {}
        for i, record in enumerate(records):
            item = record.inventory_item_id
            if not item and record.sku:
                matches = items.get(record.sku, [])
                if len(matches) != 1:
                    results[i] = _rejected(f"SKU {record.sku!r} matches {len(matches)} variants, not 1")
                    continue
                item = matches[0]["item"]
            location = record.location_id or locations.get(record.location or "")
            if not location:
                results[i] = _rejected(f"no location named {record.location!r}")
                continue
            pair = (record.name, str(item), location)
            if pair in entries:  # the later row wins; the earlier is marked superseded (no dead letter)
                earlier = entries[pair]
                results[earlier] = _rejected(
                    f"superseded by record {ctx.record_keys[i]} (same item and location)", "SUPERSEDED"
                )
            entries[pair] = i
        return results, entries

    async def _set(
        self,
        name: str,
        reason: str,
        members: list[tuple[int, str, str]],
        records: list[InventoryRecord],
        send: Send,
        ctx: WriteContext,
    ) -> list[tuple[int, RecordResult]]:
        """One call; entries Shopify rejects by index are reported and the others sent again without them."""
        done: list[tuple[int, RecordResult]] = []
        attempt = 0
        while members:
            quantities = [
                {"inventoryItemId": item, "locationId": location, "quantity": records[i].quantity,
                 "changeFromQuantity": records[i].previous_quantity}
                for i, item, location in members
            ]  # fmt: skip
            variables: dict[str, Any] = {
                "input": {"name": name, "reason": reason, "quantities": quantities,
                          "referenceDocumentUri": f"gid://shopify-sync/Sync/{ctx.sync_id}"},
                "key": f"{ctx.idempotency_key}-{name}-{reason}-{attempt}",
            }  # fmt: skip
            result = await send(INVENTORY_SET, variables)
            errors = payload_errors(result.data, "inventorySetQuantities")
            if not errors:
                return done + [(i, item) for i, item, _ in members]
            indexes = [_entry_index(e, len(members)) for e in errors]
            if None in indexes:  # an error not tied to one entry: the whole call fails
                error = user_errors(tuple(errors), "inventorySetQuantities")
                return done + [(i, error) for i, _, _ in members]
            rejected = sorted({i for i in indexes if i is not None}, reverse=True)
            for index in rejected:
                i = members[index][0]
                mine = tuple(e for e, at in zip(errors, indexes, strict=True) if at == index)
                _forget_stale_lookups(records[i], mine, ctx)
                done.append((i, user_errors(mine, "inventorySetQuantities")))
                del members[index]
            attempt += 1
        return done


def _forget_stale_lookups(record: InventoryRecord, errors: tuple[UserError, ...], ctx: WriteContext) -> None:
    """Shopify says an id from the lookup cache is wrong (the variant or location was re-created): drop it."""
    if ctx.lookups is None:
        return
    codes = {e.code for e in errors}
    if "INVALID_INVENTORY_ITEM" in codes and record.sku and not record.inventory_item_id:
        ctx.lookups.forget(ctx.shop, "sku", record.sku)
    if "INVALID_LOCATION" in codes and record.location and not record.location_id:
        ctx.lookups.forget(ctx.shop, "location", record.location)


def _entry_index(error: UserError, count: int) -> int | None:
    """The position in ``quantities`` a user error points at (``["input", "quantities", "3", ...]``)."""
    path = error.field
    if len(path) >= 3 and path[:2] == ("input", "quantities") and path[2].isdigit() and int(path[2]) < count:
        return int(path[2])
    return None
