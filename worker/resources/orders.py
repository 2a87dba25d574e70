"""Orders: created once with ``orderCreate``, then kept in step with ``orderUpdate`` and status mutations.

The exactly-once create guard (ledger, search, settle window) is in ``order_guard``, the create input in
``order_input``, the status follow-ups in ``order_statuses``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from worker.errors import StaleLookupError, UserError
from worker.resources.base import (
    RecordResult,
    Resource,
    Send,
    WriteContext,
    merge_rows,
    mutation_result,
    user_errors,
)
from worker.resources.order_changes import changed_fields
from worker.resources.order_documents import (
    FIND_ORDER,
    ORDER_BY_ID,
    ORDER_CANCEL,
    ORDER_CLOSE,
    ORDER_CREATE,
    ORDER_MARK_AS_PAID,
    ORDER_OPEN,
    ORDER_UPDATE,
)
from worker.resources.order_guard import adopt_unclear_create, create_once, existing_order
from worker.resources.order_input import create_variables, forget_stale_skus
from worker.resources.order_models import OrderRecord
from worker.resources.order_statuses import apply_statuses
from worker.resources.shopify_ids import DOCUMENTS as LOOKUP_DOCUMENTS

__all__ = [
    "FIND_ORDER",
    "ORDER_BY_ID",
    "ORDER_CANCEL",
    "ORDER_CLOSE",
    "ORDER_CREATE",
    "ORDER_MARK_AS_PAID",
    "ORDER_OPEN",
    "ORDER_UPDATE",
    "Orders",
]


class Orders(Resource[OrderRecord]):
    """Creates each source order once, then applies updates and status changes."""

    name = "orders"
    model = OrderRecord
    documents = (
        ORDER_BY_ID,
        FIND_ORDER, ORDER_CREATE, ORDER_UPDATE, ORDER_CLOSE, ORDER_OPEN, ORDER_MARK_AS_PAID, ORDER_CANCEL,
        *LOOKUP_DOCUMENTS,
    )  # fmt: skip

    def __init__(self, *, inventory_behaviour: str = "BYPASS", send_receipt: bool = False) -> None:
        self.options = {"inventoryBehaviour": inventory_behaviour, "sendReceipt": send_receipt,
                        "sendFulfillmentReceipt": send_receipt}  # fmt: skip

    def expected_cost(self, record: OrderRecord, cost_of: Callable[[str], float]) -> float:
        """A search by source identifier, then a create or an update."""
        return cost_of(FIND_ORDER) + cost_of(ORDER_CREATE)

    async def write(self, records: list[OrderRecord], send: Send, ctx: WriteContext) -> list[RecordResult]:
        """Find the order by source identifier; create it when absent, else update it; then statuses."""
        [record] = records
        source_id = record.source_identifier
        order = await existing_order(source_id, send, ctx)
        if order is None:
            variables = await create_variables(record, source_id, self.options, send, ctx)
            if isinstance(variables, UserError):
                return [user_errors((variables,), "orderCreate")]
            result = await create_once(source_id, variables, send, ctx)
            created = mutation_result(result.data, "orderCreate", "order")
            if not isinstance(created, str):
                if forget_stale_skus(record, created.user_errors, ctx):
                    raise StaleLookupError(
                        f"order {source_id!r} named a variant that is gone; looking it up again"
                    )
                return [created]
            order = (result.data.get("orderCreate") or {}).get("order") or {"id": created}
        else:
            adopt_unclear_create(source_id, order, ctx)
            update = changed_fields(record, order)
            if update:
                result = await send(ORDER_UPDATE, {"input": {"id": order["id"], **update}})
                updated = mutation_result(result.data, "orderUpdate", "order")
                if not isinstance(updated, str):
                    return [updated]
        failure = await apply_statuses(record, order, send)
        return [failure or str(order["id"])]

    def with_source_key(self, payload: dict[str, Any], source_key: str | None) -> dict[str, Any]:
        """An order without a mapped ``sourceIdentifier`` takes the source primary key."""
        if source_key and not (payload.get("sourceIdentifier") or payload.get("source_identifier")):
            return {**payload, "sourceIdentifier": source_key}
        return payload

    def group_key(self, payload: Mapping[str, Any]) -> str | None:
        """Rows of one source order (one row per line item) become one order."""
        value = payload.get("sourceIdentifier") or payload.get("source_identifier")
        return str(value).strip() if isinstance(value, str | int) and str(value).strip() else None

    def merge(self, payloads: list[dict[str, Any]]) -> dict[str, Any]:
        """One order from its rows: every row adds its line items."""
        return merge_rows(payloads, "lineItems")
