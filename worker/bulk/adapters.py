"""What the bulk path needs of each resource: its mutation, each record's variables, a line's result.

The variables are exactly the ones the per-request path sends (``build_variables``; inventory resolves
SKUs and locations the same way), and a line's result is read with the same function, so a record ends
with the same gid or the same ``userErrors`` on either path. Orders have no adapter: ``orderCreate`` is
not idempotent and stays on the per-request path, with its exactly-once guard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worker.errors import UserError, UserErrorsError
from worker.resources import Resource
from worker.resources.base import (
    RecordResult,
    Send,
    SingleMutationResource,
    WriteContext,
    mutation_result,
    payload_errors,
    user_errors,
)
from worker.resources.customers import Customers
from worker.resources.inventory import INVENTORY_SET, Inventory

LineVariables = dict[str, Any] | UserErrorsError


class BulkAdapter:
    """A resource written with one upsert mutation per record (``productSet``, ``customerSet``)."""

    def __init__(self, resource: SingleMutationResource[Any]) -> None:
        self.resource = resource
        self.mutation = resource.mutation

    def eligible(self, record: Any) -> bool:
        """Whether the record may go in a file: only upserts (a line run twice writes the same thing)."""
        return self.resource.can_pack(record)

    async def variables(self, records: list[Any], send: Send, ctx: WriteContext) -> list[LineVariables]:
        """One line's variables per record (or why the record cannot be written)."""
        return [self.resource.build_variables(record) for record in records]

    def result(self, data: Mapping[str, Any], variables: Mapping[str, Any]) -> RecordResult:
        """The gid a line wrote, or its ``userErrors``."""
        resource = self.resource
        return mutation_result(data, resource.payload_field, resource.object_field)

    async def follow_ups(self, record: Any, gid: str, send: Send) -> RecordResult:
        """Mutations sent per request once the line succeeded (consent, metafields): gid or failure."""
        if isinstance(self.resource, Customers):
            return await self.resource.follow_ups(record, gid, send)
        return gid


class InventoryAdapter(BulkAdapter):
    """One quantity per line, with its own ``@idempotent`` key; the record's result is its item's gid."""

    def __init__(self, resource: Inventory) -> None:
        self.inventory = resource
        self.mutation = INVENTORY_SET

    def eligible(self, record: Any) -> bool:
        """Every quantity: ``inventorySetQuantities`` sets it, and its key makes a second run a no-op."""
        return True

    async def variables(self, records: list[Any], send: Send, ctx: WriteContext) -> list[LineVariables]:
        """SKUs and locations resolved as per request (cached lookups); one quantity per line."""
        results, entries = await self.inventory.resolve(records, send, ctx)
        lines: list[LineVariables] = [r if isinstance(r, UserErrorsError) else _unwritten() for r in results]
        for (name, item, location), i in entries.items():
            record = records[i]
            quantity = {"inventoryItemId": item, "locationId": location, "quantity": record.quantity,
                        "changeFromQuantity": record.previous_quantity}  # fmt: skip
            lines[i] = {
                "input": {"name": name, "reason": record.reason, "quantities": [quantity],
                          "referenceDocumentUri": f"gid://shopify-sync/Sync/{ctx.sync_id}"},
                "key": f"{ctx.idempotency_key}-{ctx.record_keys[i]}",
            }  # fmt: skip
        return lines

    def result(self, data: Mapping[str, Any], variables: Mapping[str, Any]) -> RecordResult:
        """The inventory item's gid (as per request), or the line's ``userErrors``."""
        errors = payload_errors(data, "inventorySetQuantities")
        if errors:
            return user_errors(errors, "inventorySetQuantities")
        return str(variables["input"]["quantities"][0]["inventoryItemId"])

    async def follow_ups(self, record: Any, gid: str, send: Send) -> RecordResult:
        """None for inventory."""
        return gid


def _unwritten() -> UserErrorsError:
    return user_errors((UserError((), "not written"),), "inventorySetQuantities")


def bulk_adapter(resource: Resource[Any]) -> BulkAdapter | None:
    """The resource's bulk adapter; None for a resource that stays on the per-request path (orders)."""
    if isinstance(resource, Inventory):
        return InventoryAdapter(resource)
    if resource.name in ("products", "customers") and isinstance(resource, SingleMutationResource):
        return BulkAdapter(resource)
    return None
