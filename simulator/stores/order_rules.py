"""Validation of ``OrderCreateOrderInput``, with Shopify's codes and field paths.

Observed on live stores (docs/simulator.md, *orderCreate*): no line items is
``["order", "lineItems"]`` "Line items must have at least one line item" (``INVALID``); a future
``processedAt`` is ``PROCESSED_AT_INVALID``; ``customerId`` together with ``customer`` is
``REDUNDANT_CUSTOMER_FIELDS`` on ``["order"]``; a line-item or shipping-line tax line without a
usable ``rate`` is ``TAX_LINE_RATE_MISSING`` on ``[..., "taxLines", "<j>", "rate"]``. Messages
for those captures were not selected; the others are the simulator's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from simulator.stores.common import UserError
from simulator.stores.money import bag_amount, parse_decimal

VariantLookup = Callable[[str], Mapping[str, Any] | None]


def check_order(
    order: Mapping[str, Any], variant: VariantLookup, reject_future: bool, now: datetime | None = None
) -> list[UserError]:
    """Return the user errors of an ``orderCreate`` input (all of them, in input order).

    ``reject_future``: a ``processedAt`` in the future is an error (API versions before
    2026-07); from 2026-07 Shopify clamps it to the current time instead.
    """
    errors: list[UserError] = []
    processed_at = _datetime(order.get("processedAt"))
    if reject_future and processed_at is not None and processed_at > (now or datetime.now(UTC)):
        errors.append(UserError(("order", "processedAt"), "Processed at is invalid", "PROCESSED_AT_INVALID"))
    if order.get("customerId") is not None and order.get("customer") is not None:
        errors.append(UserError(("order",), "Customer fields are redundant", "REDUNDANT_CUSTOMER_FIELDS"))
    line_items = order.get("lineItems") or []
    if not line_items:
        errors.append(
            UserError(("order", "lineItems"), "Line items must have at least one line item", "INVALID")
        )
    for index, line in enumerate(line_items):
        errors += _line_errors(index, line, variant)
    for index, shipping in enumerate(order.get("shippingLines") or []):
        errors += _tax_line_errors(("order", "shippingLines", str(index)), shipping.get("taxLines") or [])
    for index, tax in enumerate(order.get("taxLines") or []):
        if parse_decimal(tax.get("rate")) is None:
            where = ("order", "taxLines", str(index), "rate")
            errors.append(UserError(where, "Tax line rate is missing", "TAX_LINE_RATE_MISSING"))
    return errors


def _line_errors(index: int, line: Mapping[str, Any], variant: VariantLookup) -> list[UserError]:
    here = ("order", "lineItems", str(index))
    errors: list[UserError] = []
    if int(line["quantity"]) < 1:
        errors.append(
            UserError((*here, "quantity"), "Quantity must be greater than or equal to 1", "INVALID")
        )
    if line.get("variantId") is not None:
        if variant(str(line["variantId"])) is None:
            # FACTS.md, "More observed on live stores" (lines 141-142): answered on ["order"], not on
            # the line; "Name/Title can't be blank" there is read as one message for each.
            errors += [
                UserError(("order",), "Order Line items is invalid", "INVALID"),
                UserError(("order",), "Line items Name can't be blank", "INVALID"),
                UserError(("order",), "Line items Title can't be blank", "INVALID"),
            ]
    else:
        if not (line.get("title") or "").strip():
            errors.append(UserError((*here, "title"), "Title can't be blank", "INVALID"))
        if bag_amount(line.get("priceSet")) is None:
            errors.append(UserError((*here, "priceSet"), "Price can't be blank", "INVALID"))
    errors += _tax_line_errors(here, line.get("taxLines") or [])
    return errors


def _tax_line_errors(here: tuple[str, ...], tax_lines: Sequence[Mapping[str, Any]]) -> list[UserError]:
    return [
        UserError(
            (*here, "taxLines", str(index), "rate"), "Tax line rate is missing", "TAX_LINE_RATE_MISSING"
        )
        for index, tax in enumerate(tax_lines)
        if parse_decimal(tax.get("rate")) is None
    ]


def parse_datetime(value: Any) -> datetime | None:
    """Return an ISO-8601 value as an aware ``datetime`` (UTC when it has no offset), or ``None``."""
    return _datetime(value)


def _datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def customer_error(path: tuple[str, ...], message: str) -> UserError:
    """Return an ``INVALID`` error about the order's customer."""
    return UserError(("order", "customer", *path), message, "INVALID")
