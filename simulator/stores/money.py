"""Money as Shopify prints it: ``Money`` scalars ("19.99") and ``MoneyV2`` amounts ("19.99", "10.0").

Observed on live stores: ``ProductVariant.price`` is a string with two decimals (``"20.00"``);
``MoneyV2.amount`` is a ``Decimal`` printed without trailing zeros but with at least one
decimal (``"10.0"``, ``"19.99"``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

SHOP_CURRENCY = "USD"
CENT = Decimal("0.01")


def parse_decimal(value: Any) -> Decimal | None:
    """Return ``value`` as a finite ``Decimal``, or ``None`` when it is not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def money_string(value: Decimal) -> str:
    """Format a ``Money`` scalar: two decimals (``Decimal("20")`` -> ``"20.00"``)."""
    return str(value.quantize(CENT))


def decimal_string(value: Decimal) -> str:
    """Format a ``Decimal`` scalar the way Shopify does: ``"10.0"``, ``"19.99"``, ``"0.5"``."""
    text = format(value.quantize(CENT).normalize(), "f")
    return text if "." in text else text + ".0"


def money_v2(amount: Decimal, currency: str = SHOP_CURRENCY) -> dict[str, Any]:
    """Return a ``MoneyV2`` dict."""
    return {"amount": decimal_string(amount), "currencyCode": currency}


def money_bag(
    amount: Decimal, currency: str = SHOP_CURRENCY, presentment: str | None = None
) -> dict[str, Any]:
    """Return a ``MoneyBag`` dict (shop and presentment money; same amount, no FX)."""
    return {
        "shopMoney": money_v2(amount, currency),
        "presentmentMoney": money_v2(amount, presentment or currency),
    }


def bag_amount(bag: Any) -> Decimal | None:
    """Return the shop amount of a ``MoneyBagInput`` (``{shopMoney: {amount, currencyCode}}``)."""
    if not isinstance(bag, dict) or not isinstance(bag.get("shopMoney"), dict):
        return None
    return parse_decimal(bag["shopMoney"].get("amount"))


def bag_currency(bag: Any) -> str | None:
    """Return the shop currency code of a ``MoneyBagInput``."""
    if not isinstance(bag, dict) or not isinstance(bag.get("shopMoney"), dict):
        return None
    code = bag["shopMoney"].get("currencyCode")
    return str(code) if code else None
