"""Changes to orders: ``orderUpdate``, ``orderClose``, ``orderOpen``, ``orderMarkAsPaid``, ``orderCancel``.

Observed on live stores (docs/simulator.md, *Orders after creation*): closing a closed order
and opening an open one are no-ops; ``orderCancel`` answers a ``Job`` (``done: false``) and the
order reads back cancelled and closed; a second cancel is "Cannot cancel an order that has
already been canceled"; ``refund`` with ``refundMethod`` and a staff note over 255 characters
are rejected. These mutations report ``UserError`` (no code), ``orderCancel`` also
``OrderCancelUserError`` (with code) under ``orderCancelUserErrors``.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from simulator.stores import order_build as build
from simulator.stores.common import UserError, gid, parse_gid, utc_timestamp
from simulator.stores.customer_rules import check_tags, normalize_phone
from simulator.stores.inventory import InventoryStore
from simulator.stores.metafields import MetafieldStore
from simulator.stores.money import decimal_string
from simulator.stores.order_update_rules import update_errors

Answer = tuple[dict[str, Any] | None, list[UserError]]
NOT_FOUND = "Order does not exist"
MAX_STAFF_NOTE = 255


class OrderUpdates:
    """Writes to existing orders (shares the order map and lock of the ``OrderStore``)."""

    def __init__(
        self,
        lock: threading.RLock,
        orders: dict[str, dict[str, Any]],
        inventory: InventoryStore,
        metafields: MetafieldStore,
        new_id: build.NewId,
    ) -> None:
        self._lock = lock
        self._orders = orders
        self._inventory = inventory
        self._metafields = metafields
        self._new_id = new_id
        self._jobs: dict[str, dict[str, Any]] = {}

    def update(self, input: Mapping[str, Any]) -> Answer:
        """``orderUpdate``: email, phone, note, tags, shipping address, custom attributes, metafields, PO."""
        with self._lock:
            order = self._orders.get(_canonical(input["id"]))
            if order is None:
                return None, [UserError(("id",), NOT_FOUND)]
            refused = update_errors(input)
            if refused:
                return None, refused
            if input.get("metafields") is not None:
                errors = self._metafields.check_inputs(order["id"], input["metafields"], ("metafields",))
                if errors:
                    return None, [UserError(e.field, e.message) for e in errors]
                self._metafields.upsert(order["id"], input["metafields"])
            for key in ("email", "phone", "note", "poNumber"):
                if key in input:
                    order[key] = input[key]
            if input.get("phone"):
                order["phone"] = normalize_phone(str(input["phone"]))
            if "tags" in input:
                order["tags"] = check_tags(input.get("tags"), ("tags",))[0]
            if "shippingAddress" in input:
                order["shippingAddress"] = build.address(input["shippingAddress"], self._new_id)
            if "customAttributes" in input:
                order["customAttributes"] = [dict(a) for a in input.get("customAttributes") or []]
            return self._touch(order), []

    def close(self, order_id: str) -> Answer:
        """``orderClose``: mark the order closed (no-op when it already is)."""
        with self._lock:
            order = self._orders.get(_canonical(order_id))
            if order is None:
                return None, [UserError(("id",), NOT_FOUND)]
            if not order["closed"]:
                order.update(closed=True, closedAt=utc_timestamp())
            return self._touch(order), []

    def open(self, order_id: str) -> Answer:
        """``orderOpen``: reopen a closed order (no-op when it is open)."""
        with self._lock:
            order = self._orders.get(_canonical(order_id))
            if order is None:
                return None, [UserError(("id",), NOT_FOUND)]
            if order["cancelledAt"]:
                return None, [UserError(("id",), "Cancelled orders cannot be reopened")]
            order.update(closed=False, closedAt=None)
            return self._touch(order), []

    def mark_as_paid(self, order_id: str) -> Answer:
        """``orderMarkAsPaid``: record a manual sale for the outstanding amount."""
        with self._lock:
            order = self._orders.get(_canonical(order_id))
            if order is None:
                return None, [UserError(("id",), NOT_FOUND)]
            if not can_mark_as_paid(order):
                # Observed: an already paid order answers this user error and still returns the order.
                return self._touch(order), [UserError(("id",), "Order cannot be marked as paid.")]
            now = utc_timestamp()
            sale = {
                "kind": "SALE",
                "gateway": "manual",
                "amountSet": {"shopMoney": {"amount": decimal_string(build.outstanding(order))}},
            }
            order["transactions"] += build.transactions([{**sale, "test": order["test"]}], self._new_id, now)
            order["displayFinancialStatus"] = "PAID"
            return self._touch(order), []

    def cancel(self, args: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[UserError]]:
        """``orderCancel``: validate, then cancel at once and answer a job (``done: false``)."""
        with self._lock:
            order = self._orders.get(_canonical(str(args["orderId"])))
            errors = []
            if order is None:
                errors.append(UserError(("orderId",), NOT_FOUND, "NOT_FOUND"))
            elif order["cancelledAt"]:
                # FACTS.md, "More observed on live stores", orderCancel (lines 130-131): field null.
                message = "Cannot cancel an order that has already been canceled"
                errors.append(UserError(None, message, "INVALID"))
            if args.get("refund") is not None and args.get("refundMethod") is not None:
                message = "Only one of the arguments `refund` or `refund_method` is allowed."
                errors.append(UserError(("refund",), message, "INVALID"))
            if len(args.get("staffNote") or "") > MAX_STAFF_NOTE:
                message = "Staff note is too long. Maximum length is 255 characters."
                errors.append(UserError(("staffNote",), message, "INVALID"))
            if errors or order is None:
                return None, errors
            self._apply_cancel(order, args)
            job_id = f"gid://shopify/Job/{uuid.uuid4()}"
            job: dict[str, Any] = {"id": job_id, "done": False}
            self._jobs[job_id] = {**job, "done": True}
            return job, []

    def job(self, job_id: str) -> dict[str, Any] | None:
        """Return a job by gid (cancellations finish at once, so a known job is ``done``)."""
        with self._lock:
            found = self._jobs.get(job_id)
            return copy.deepcopy(found) if found else None

    def _apply_cancel(self, order: dict[str, Any], args: Mapping[str, Any]) -> None:
        now = utc_timestamp()
        order.update(
            cancelledAt=now, cancelReason=args["reason"], closed=True, closedAt=order["closedAt"] or now
        )
        if args.get("restock"):
            for item_id, location_id, quantity in order["inventoryClaims"]:
                if self._inventory.item(item_id) is not None:
                    self._inventory.commit(item_id, location_id, -quantity)
            order["inventoryClaims"] = []
        refund = args.get("refund") or (args.get("refundMethod") or {}).get("originalPaymentMethodsRefund")
        status = order["displayFinancialStatus"]
        if status == "AUTHORIZED":
            order["displayFinancialStatus"] = "VOIDED"
        elif refund and status in ("PAID", "PARTIALLY_PAID"):
            order["displayFinancialStatus"] = "REFUNDED"
        self._touch(order)

    def _touch(self, order: dict[str, Any]) -> dict[str, Any]:
        order["updatedAt"] = utc_timestamp()
        return copy.deepcopy(order)


def can_mark_as_paid(order: Mapping[str, Any]) -> bool:
    """Whether ``orderMarkAsPaid`` applies: not cancelled, and unpaid, pending, authorized or partly paid.

    FACTS.md, "More observed on live stores" (lines 128-129): an order without transactions can be
    marked as paid; an already paid one answers a user error.
    """
    return not order["cancelledAt"] and order["displayFinancialStatus"] in (
        None,
        "PENDING",
        "AUTHORIZED",
        "PARTIALLY_PAID",
    )


def _canonical(value: Any) -> str:
    parsed = parse_gid(str(value))
    return gid("Order", parsed[1]) if parsed and parsed[0] == "Order" else str(value)
