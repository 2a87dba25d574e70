"""Orders: created once with ``orderCreate``, then kept in step with ``orderUpdate`` and status mutations.

``orderCreate`` is not idempotent: a request whose answer was lost may have created the order. So every
write first looks the order up, and creates it only when Shopify has none:

1. the order ledger (shared Redis): the gid of every order this connector created, by source order id;
2. Shopify's search, ``orders(query: "source_identifier:...")``, for orders created elsewhere or before;
3. when neither knows the order but an earlier ``orderCreate`` for it ended without a clear answer
   (a reset, a timeout, a 5xx) less than ``SEARCH_SETTLE_S`` ago, the write is retried later instead of
   creating: Shopify indexes new orders for search asynchronously, so a committed order can be
   invisible for a moment.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from worker.client import GraphQLResult
from worker.errors import (
    AuthError,
    OutcomeUnknownError,
    ShopUnavailableError,
    StaleLookupError,
    ThrottledError,
    UserError,
)
from worker.resources.base import (
    RecordResult,
    Resource,
    Send,
    WriteContext,
    merge_rows,
    mutation_result,
    user_errors,
)
from worker.resources.follow_ups import Step, send_steps
from worker.resources.order_inputs import create_variables, forget_stale_skus
from worker.resources.order_models import OrderRecord
from worker.resources.shopify_ids import DOCUMENTS as LOOKUP_DOCUMENTS
from worker.resources.shopify_ids import search_value

SEARCH_SETTLE_S = 15
LEDGER_TTL_S = 90 * 24 * 3600

ORDER_BY_ID = """
query OrderById($id: ID!) {
  order(id: $id) { id sourceIdentifier closed cancelledAt displayFinancialStatus }
}
""".strip()

FIND_ORDER = """
query FindOrder($query: String!) {
  orders(first: 5, query: $query) {
    nodes { id sourceIdentifier closed cancelledAt displayFinancialStatus }
  }
}
""".strip()

ORDER_CREATE = """
mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id closed cancelledAt displayFinancialStatus }
    userErrors { field message code }
  }
}
""".strip()

ORDER_UPDATE = """
mutation OrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id }
    userErrors { field message }
  }
}
""".strip()

ORDER_CLOSE = """
mutation OrderClose($input: OrderCloseInput!) {
  orderClose(input: $input) { order { id } userErrors { field message } }
}
""".strip()

ORDER_OPEN = """
mutation OrderOpen($input: OrderOpenInput!) {
  orderOpen(input: $input) { order { id } userErrors { field message } }
}
""".strip()

ORDER_MARK_AS_PAID = """
mutation OrderMarkAsPaid($input: OrderMarkAsPaidInput!) {
  orderMarkAsPaid(input: $input) { order { id } userErrors { field message } }
}
""".strip()

ORDER_CANCEL = """
mutation OrderCancel($orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!,
  $refundMethod: OrderCancelRefundMethodInput, $notifyCustomer: Boolean, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, restock: $restock, refundMethod: $refundMethod,
              notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    job { id }
    orderCancelUserErrors { field message code }
  }
}
""".strip()

UPDATABLE = {
    "email",
    "phone",
    "note",
    "tags",
    "shipping_address",
    "custom_attributes",
    "metafields",
    "po_number",
}


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
        order = await self._known(source_id, send, ctx) or await self._find(source_id, send)
        if order is None:
            variables = await create_variables(record, source_id, send, ctx, self.options)
            if isinstance(variables, UserError):
                return [user_errors((variables,), "orderCreate")]
            result = await self._create(source_id, variables, send, ctx)
            created = mutation_result(result.data, "orderCreate", "order")
            if not isinstance(created, str):
                if forget_stale_skus(record, created.user_errors, ctx):
                    raise StaleLookupError(
                        f"order {source_id!r} named a variant that is gone; looking it up again"
                    )
                return [created]
            order = (result.data.get("orderCreate") or {}).get("order") or {"id": created}
        else:
            update = record.model_dump(by_alias=True, exclude_none=True, include=UPDATABLE)
            if update:
                result = await send(ORDER_UPDATE, {"input": {"id": order["id"], **update}})
                updated = mutation_result(result.data, "orderUpdate", "order")
                if not isinstance(updated, str):
                    return [updated]
        failure = await self._statuses(record, order, send)
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

    @staticmethod
    async def _known(source_id: str, send: Send, ctx: WriteContext) -> dict[str, Any] | None:
        """The order the ledger says this connector created for ``source_id``, read fresh from Shopify."""
        known = ctx.lookups.get_many(ctx.shop, "order", [source_id]) if ctx.lookups else {}
        if source_id not in known:
            return None
        result = await send(ORDER_BY_ID, {"id": known[source_id]})
        order = result.data.get("order")
        return dict(order) if isinstance(order, Mapping) else None

    @staticmethod
    async def _create(
        source_id: str, variables: dict[str, Any], send: Send, ctx: WriteContext
    ) -> GraphQLResult:
        """``orderCreate``, with a note in the ledger while its outcome is unknown."""
        ledger = ctx.lookups
        if ledger is not None:
            # Atomic, so two copies of one task running at once cannot both get past it.
            now = time.time()
            earlier = ledger.claim(
                ctx.shop, "order-create", source_id, now, hold_s=SEARCH_SETTLE_S, ttl_s=LEDGER_TTL_S
            )
            if earlier is not None:
                raise OutcomeUnknownError(
                    f"an earlier orderCreate for {source_id!r} may have committed; waiting for Shopify's "
                    "order search before creating it",
                    shop=ctx.shop,
                    retry_after_s=earlier + SEARCH_SETTLE_S - now,
                )
        try:
            result = await send(ORDER_CREATE, variables)
        except (ThrottledError, AuthError, ShopUnavailableError):
            if ledger is not None:  # refused before running: no order was made
                ledger.forget(ctx.shop, "order-create", source_id)
            raise
        if ledger is not None:
            created = (result.data.get("orderCreate") or {}).get("order") or {}
            if created.get("id"):
                ledger.put_many(ctx.shop, "order", {source_id: str(created["id"])}, ttl_s=LEDGER_TTL_S)
            ledger.forget(ctx.shop, "order-create", source_id)
        return result

    @staticmethod
    async def _find(source_id: str, send: Send) -> dict[str, Any] | None:
        result = await send(FIND_ORDER, {"query": f"source_identifier:{search_value(source_id)}"})
        nodes = (result.data.get("orders") or {}).get("nodes") or ()
        return next((dict(n) for n in nodes if n.get("sourceIdentifier") == source_id), None)

    @staticmethod
    async def _statuses(record: OrderRecord, order: dict[str, Any], send: Send) -> RecordResult | None:
        """Close/open, mark as paid, cancel: each only when the order is not in that state already."""
        steps: list[Step] = []
        order_id = order["id"]
        if record.cancel and not order.get("cancelledAt"):
            c = record.cancel
            cancel = {"orderId": order_id, "reason": c.reason, "restock": c.restock,
                      "notifyCustomer": c.notify_customer, "staffNote": c.staff_note,
                      "refundMethod": {"originalPaymentMethodsRefund": c.refund}}  # fmt: skip
            steps.append(Step(ORDER_CANCEL, "orderCancel", cancel, done_when=already_cancelled))
        if record.mark_as_paid and order.get("displayFinancialStatus") != "PAID":
            steps.append(Step(ORDER_MARK_AS_PAID, "orderMarkAsPaid", {"input": {"id": order_id}}))
        if record.closed is True and not order.get("closed"):
            steps.append(Step(ORDER_CLOSE, "orderClose", {"input": {"id": order_id}}))
        if record.closed is False and order.get("closed"):
            steps.append(Step(ORDER_OPEN, "orderOpen", {"input": {"id": order_id}}))
        return await send_steps(steps, send, str(order_id))


def already_cancelled(errors: tuple[UserError, ...]) -> bool:
    """``orderCancel`` on an order cancelled or being cancelled: the goal is met (FACTS.md, orderCancel)."""
    return all(_ALREADY_CANCELLED.search(e.message) for e in errors)


_ALREADY_CANCELLED = re.compile(r"already been cancell?ed|cancellation is already in progress", re.IGNORECASE)
