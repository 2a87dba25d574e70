"""Status follow-ups of an order: cancel, mark as paid, close or reopen, each only when needed."""

from __future__ import annotations

import re
from typing import Any

from worker.errors import FollowUpFailedError, UserError
from worker.resources.base import Send
from worker.resources.follow_ups import Step, send_steps
from worker.resources.order_documents import ORDER_CANCEL, ORDER_CLOSE, ORDER_MARK_AS_PAID, ORDER_OPEN
from worker.resources.order_models import OrderRecord


async def apply_statuses(
    record: OrderRecord, order: dict[str, Any], send: Send
) -> FollowUpFailedError | None:
    """Close/open, mark as paid, cancel: each only when the order is not in that state already.

    Returns:
        The first failing step's result, or None when every step succeeded.
    """
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
