"""``OrderCreateOrderInput`` -> an order record: line items, shipping and tax lines, money, statuses.

Totals: subtotal = sum of unit price x quantity; discounts from the one discount code
(fixed amount, percentage of the subtotal, or free shipping); shipping = sum of shipping
lines; tax = every tax line's ``priceSet`` (or ``rate`` x its base when the price is left
out), not added again when ``taxesIncluded``. The financial status is the input's, else it is
derived from successful transactions (sales and captures: paid / partially paid;
authorizations: authorized); an order without transactions counts as paid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from simulator.stores.addresses import COUNTRY_NAMES, formatted_area
from simulator.stores.common import gid
from simulator.stores.money import bag_amount, decimal_string, parse_decimal

ZERO = Decimal(0)
NewId = Callable[[str], str]


def line_items(
    inputs: Sequence[Mapping[str, Any]], variant: Callable[[str], Mapping[str, Any] | None], new_id: NewId
) -> list[dict[str, Any]]:
    """Build line items; a variant line takes title, SKU and price from the variant unless given."""
    lines = []
    for entry in inputs:
        found = variant(str(entry["variantId"])) if entry.get("variantId") is not None else None
        product = (found or {}).get("product") or {}
        price = bag_amount(entry.get("priceSet"))
        if price is None:
            price = parse_decimal((found or {}).get("price")) or ZERO
        title = entry.get("title") or product.get("title") or ""
        variant_title = entry.get("variantTitle") or (found or {}).get("title")
        if variant_title == "Default Title":
            variant_title = None
        quantity = int(entry["quantity"])
        lines.append(
            {
                "id": new_id("LineItem"),
                "title": title,
                "name": f"{title} - {variant_title}" if variant_title else title,
                "variantTitle": variant_title,
                "quantity": quantity,
                "currentQuantity": quantity,
                "sku": entry.get("sku") or (found or {}).get("sku"),
                "variantId": found["id"] if found else None,
                "productId": product.get("id") or entry.get("productId"),
                "vendor": entry.get("vendor") or product.get("vendor"),
                "unitPrice": decimal_string(price),
                "requiresShipping": entry.get("requiresShipping", True) is not False,
                "taxable": entry.get("taxable", True) is not False,
                "taxLines": tax_lines(entry.get("taxLines") or [], price * quantity),
                "customAttributes": [
                    {"key": p["name"], "value": p["value"]} for p in entry.get("properties") or []
                ],
            }
        )
    return lines


def tax_lines(inputs: Sequence[Mapping[str, Any]], base: Decimal) -> list[dict[str, Any]]:
    """Build tax lines; a missing ``priceSet`` is ``rate`` x ``base``."""
    lines = []
    for entry in inputs:
        rate = parse_decimal(entry.get("rate")) or ZERO
        price = bag_amount(entry.get("priceSet"))
        lines.append(
            {
                "title": entry["title"],
                "rate": float(rate),
                "ratePercentage": float(rate * 100),
                "price": decimal_string(
                    price if price is not None else (rate * base).quantize(Decimal("0.01"))
                ),
                "channelLiable": entry.get("channelLiable"),
            }
        )
    return lines


def shipping_lines(inputs: Sequence[Mapping[str, Any]], new_id: NewId) -> list[dict[str, Any]]:
    """Build shipping lines."""
    lines = []
    for entry in inputs:
        price = bag_amount(entry.get("priceSet")) or ZERO
        lines.append(
            {
                "id": new_id("ShippingLine"),
                "title": entry["title"],
                "code": entry.get("code"),
                "source": entry.get("source"),
                "price": decimal_string(price),
                "taxLines": tax_lines(entry.get("taxLines") or [], price),
            }
        )
    return lines


def address(entry: Mapping[str, Any] | None, new_id: NewId) -> dict[str, Any] | None:
    """Build an order address (``MailingAddress``) from a ``MailingAddressInput``."""
    if entry is None:
        return None
    record = {
        key: entry.get(key)
        for key in ("address1", "address2", "city", "company", "firstName", "lastName", "phone", "zip")
    }
    code = entry.get("countryCode")
    record.update(
        id=new_id("MailingAddress") + "?model_name=Address",
        countryCodeV2=code,
        country=COUNTRY_NAMES.get(code, code) if code else entry.get("country"),
        provinceCode=entry.get("provinceCode"),
        province=entry.get("province") or entry.get("provinceCode"),
        name=" ".join(p for p in (entry.get("firstName"), entry.get("lastName")) if p) or None,
    )
    record["formattedArea"] = formatted_area(record)
    return record


def totals(
    order: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], shipping: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """Return subtotal, discounts, shipping, tax and total as ``Decimal`` strings."""
    subtotal = sum((Decimal(line["unitPrice"]) * line["quantity"] for line in lines), ZERO)
    shipping_total = sum((Decimal(line["price"]) for line in shipping), ZERO)
    taxes = [*_all_tax(lines), *_all_tax(shipping), *tax_lines(order.get("taxLines") or [], subtotal)]
    tax = sum((Decimal(t["price"]) for t in taxes), ZERO)
    line_discount, shipping_discount = _discount(order.get("discountCode"), subtotal, shipping_total)
    total = (
        subtotal
        - line_discount
        + shipping_total
        - shipping_discount
        + (ZERO if order.get("taxesIncluded") else tax)
    )
    return {
        "subtotal": decimal_string(subtotal - line_discount),
        "discounts": decimal_string(line_discount + shipping_discount),
        "shipping": decimal_string(shipping_total),
        "tax": decimal_string(tax),
        "total": decimal_string(max(total, ZERO)),
    }


def transactions(inputs: Sequence[Mapping[str, Any]], new_id: NewId, now: str) -> list[dict[str, Any]]:
    """Build transactions (kind ``SALE``, status ``SUCCESS``, gateway ``manual`` unless given)."""
    return [
        {
            "id": new_id("OrderTransaction"),
            "kind": entry.get("kind") or "SALE",
            "status": entry.get("status") or "SUCCESS",
            "gateway": entry.get("gateway") or "manual",
            "amount": decimal_string(bag_amount(entry["amountSet"]) or ZERO),
            "processedAt": entry.get("processedAt") or now,
            "test": bool(entry.get("test")),
            "createdAt": now,
        }
        for entry in inputs
    ]


def financial_status(given: str | None, txs: Sequence[Mapping[str, Any]], total: Decimal) -> str | None:
    """Return the input's status, else the one the transactions imply.

    No successful transaction (none at all, or a failed authorization) leaves it ``null``: FACTS.md,
    "More observed on live stores", order payment state (lines 126-127).
    """
    if given:
        return given
    ok = [t for t in txs if t["status"] == "SUCCESS"]
    if not ok:
        return None
    paid = received(txs)
    authorized = sum((Decimal(t["amount"]) for t in ok if t["kind"] == "AUTHORIZATION"), ZERO)
    if paid and paid >= total:
        return "PAID"
    if paid:
        return "PARTIALLY_PAID"
    return "AUTHORIZED" if authorized else "PENDING"


def received(txs: Sequence[Mapping[str, Any]]) -> Decimal:
    """What successful sales and captures took."""
    ok = [t for t in txs if t["status"] == "SUCCESS"]
    return sum((Decimal(t["amount"]) for t in ok if t["kind"] in ("SALE", "CAPTURE")), ZERO)


def outstanding(order: Mapping[str, Any]) -> Decimal:
    """The order's total less what it received (the whole total when nothing was paid)."""
    return max(Decimal(order["totals"]["total"]) - received(order["transactions"]), ZERO)


def discount_codes(entry: Mapping[str, Any] | None) -> list[str]:
    """Return the code of the order's discount code input, as a list."""
    for value in (entry or {}).values():
        if isinstance(value, Mapping) and value.get("code"):
            return [str(value["code"])]
    return []


def _discount(
    entry: Mapping[str, Any] | None, subtotal: Decimal, shipping: Decimal
) -> tuple[Decimal, Decimal]:
    """Return (line-item discount, shipping discount)."""
    entry = entry or {}
    if entry.get("itemFixedDiscountCode"):
        return min(subtotal, bag_amount(entry["itemFixedDiscountCode"].get("amountSet")) or ZERO), ZERO
    if entry.get("itemPercentageDiscountCode"):
        percentage = parse_decimal(entry["itemPercentageDiscountCode"].get("percentage")) or ZERO
        return (subtotal * percentage / 100).quantize(Decimal("0.01")), ZERO
    if entry.get("freeShippingDiscountCode"):
        return ZERO, shipping
    return ZERO, ZERO


def _all_tax(lines: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for line in lines:
        yield from line["taxLines"]


def numbered(resource: str, counters: Mapping[str, Iterator[int]]) -> str:
    """Return the next gid of ``resource`` from per-resource counters."""
    return gid(resource, next(counters[resource]))
