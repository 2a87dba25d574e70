"""The ``orderCreate`` input of a mapped order: lines matched to variants by SKU, money in its currency.

SKUs are resolved through the shared lookup cache. Shopify answers an order whose line names a
variant that no longer exists on ``["order"]`` ("Order Line items is invalid", FACTS.md), not on the
line, so a cached SKU -> variant entry cannot be blamed one by one: every cached SKU of the order is
dropped, the way inventory drops a stale item, and the next attempt looks them up again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from worker.errors import UserError
from worker.resources.base import Send, WriteContext
from worker.resources.order_models import OrderRecord
from worker.resources.shopify_ids import variants_by_sku

LINE_FIELDS = {"title", "sku", "requires_shipping", "taxable"}
Money = Callable[[str], dict[str, Any]]


def forget_stale_skus(record: OrderRecord, errors: tuple[UserError, ...], ctx: WriteContext) -> bool:
    """Drop the cached variants of the order's SKUs when Shopify refused its line items.

    Returns:
        True when a cached entry was dropped (a fresh lookup may succeed).
    """
    if ctx.lookups is None or not any(_about_lines(e) for e in errors):
        return False
    skus = [line.sku for line in record.line_items if line.sku and not line.variant_id]
    cached = ctx.lookups.get_many(ctx.shop, "sku", skus)
    for sku in cached:
        ctx.lookups.forget(ctx.shop, "sku", sku)
    return bool(cached)


def _about_lines(error: UserError) -> bool:
    if error.field[:2] == ("order", "lineItems"):
        return True
    return error.field == ("order",) and "line items" in error.message.lower()


async def create_variables(
    record: OrderRecord, source_id: str, options: dict[str, Any], send: Send, ctx: WriteContext
) -> dict[str, Any] | UserError:
    """The variables of ``orderCreate``; a ``UserError`` when a line's SKU matches no single variant."""
    money = _money_of(record.currency)
    lines = await _line_items(record, money, send, ctx)
    if isinstance(lines, UserError):
        return lines
    order: dict[str, Any] = record.model_dump(
        by_alias=True,
        exclude_none=True,
        include={"currency", "email", "phone", "note", "tags", "po_number", "processed_at", "test",
                 "financial_status", "fulfillment_status", "billing_address", "shipping_address",
                 "custom_attributes", "metafields", "source_name"},
    )  # fmt: skip
    order.update(sourceIdentifier=source_id, lineItems=lines)
    order["shippingLines"] = [
        {"title": s.title, "code": s.code, "priceSet": money(s.price)} for s in record.shipping_lines
    ]
    order["taxLines"] = [
        {"title": t.title, "rate": t.rate, **({"priceSet": money(t.price)} if t.price else {})}
        for t in record.tax_lines
    ]
    order["transactions"] = [
        {"kind": t.kind, "status": t.status, "gateway": t.gateway, "amountSet": money(t.amount)}
        for t in record.transactions
    ]
    if record.customer:
        c = record.customer
        who = c.model_dump(by_alias=True, exclude_none=True, exclude={"upsert"})
        order["customer"] = {"toUpsert": who} if c.upsert else {"toAssociate": {"email": c.email}}
    if record.discount_code:
        order["discountCode"] = _discount(record, money)
    return {"order": order, "options": options}


async def _line_items(
    record: OrderRecord, money: Money, send: Send, ctx: WriteContext
) -> list[dict[str, Any]] | UserError:
    skus = [line.sku for line in record.line_items if line.sku and not line.variant_id]
    variants = await variants_by_sku(skus, send, ctx) if skus else {}
    lines: list[dict[str, Any]] = []
    for index, line in enumerate(record.line_items):
        item: dict[str, Any] = {"quantity": line.quantity}
        if line.variant_id:
            item["variantId"] = line.variant_id
        elif line.sku and len(variants.get(line.sku, [])) == 1:
            item["variantId"] = variants[line.sku][0]["variant"]
        elif line.sku and not line.title:
            found = len(variants.get(line.sku, []))
            message = f"SKU {line.sku!r} matches {found} variants, not 1"
            return UserError(("order", "lineItems", str(index), "sku"), message, "NOT_FOUND")
        item.update(line.model_dump(by_alias=True, exclude_none=True, include=LINE_FIELDS))
        if line.price is not None:
            item["priceSet"] = money(line.price)
        lines.append(item)
    return lines


def _money_of(currency: str) -> Money:
    def money(amount: str) -> dict[str, Any]:
        return {"shopMoney": {"amount": amount, "currencyCode": currency}}

    return money


def _discount(record: OrderRecord, money: Money) -> dict[str, Any]:
    d = record.discount_code
    assert d is not None
    if d.type == "percentage":
        return {"itemPercentageDiscountCode": {"code": d.code, "percentage": d.percentage}}
    if d.type == "free_shipping":
        return {"freeShippingDiscountCode": {"code": d.code}}
    fixed: dict[str, Any] = {"code": d.code}
    if d.amount is not None:
        fixed["amountSet"] = money(d.amount)
    return {"itemFixedDiscountCode": fixed}
