"""Status follow-ups of an order: cancel, mark as paid, close or reopen, each only when needed."""

from __future__ import annotations

from typing import Any

from worker.resources.base import RecordResult, Send, send_in_turn
from worker.resources.order_documents import ORDER_CANCEL, ORDER_CLOSE, ORDER_MARK_AS_PAID, ORDER_OPEN
from worker.resources.order_models import OrderRecord


async def apply_statuses(record: OrderRecord, order: dict[str, Any], send: Send) -> RecordResult | None:
    """Close/open, mark as paid, cancel: each only when the order is not in that state already.

    Returns:
        The first failing step's result, or None when every step succeeded.
    """
    steps: list[tuple[str, str, dict[str, Any]]] = []
    order_id = order["id"]
    if record.cancel and not order.get("cancelledAt"):
        c = record.cancel
        cancel = {"orderId": order_id, "reason": c.reason, "restock": c.restock,
                  "notifyCustomer": c.notify_customer, "staffNote": c.staff_note,
                  "refundMethod": {"originalPaymentMethodsRefund": c.refund}}  # fmt: skip
        steps.append((ORDER_CANCEL, "orderCancel", cancel))
    if record.mark_as_paid and order.get("displayFinancialStatus") != "PAID":
        steps.append((ORDER_MARK_AS_PAID, "orderMarkAsPaid", {"input": {"id": order_id}}))
    if record.closed is True and not order.get("closed"):
        steps.append((ORDER_CLOSE, "orderClose", {"input": {"id": order_id}}))
    if record.closed is False and order.get("closed"):
        steps.append((ORDER_OPEN, "orderOpen", {"input": {"id": order_id}}))
    return await send_in_turn(steps, send)
