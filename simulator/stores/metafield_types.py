"""Per-type checks and normalisation of metafield values, and the namespace/key rules.

FACTS.md, "More observed on live stores", metafieldsSet (lines 135-138): a namespace of at least 3
and a key of at least 2 characters; reserved namespaces refused; bad color, date, url, money,
dimension, rating, list and reference values refused; booleans written ``t``, ``1`` or ``" TRUE "``
and integers written ``5.0`` accepted and stored normalised (``true``, ``5``). Which namespaces are
reserved beyond ``shopify*`` and another app's ``app--<id>``, and the messages and codes, are ours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from simulator.stores.common import UserError, parse_gid

MIN_NAMESPACE, MAX_NAMESPACE = 3, 255
MIN_KEY, MAX_KEY = 2, 64
TRUE_WORDS = {"true", "t", "1"}
FALSE_WORDS = {"false", "f", "0"}
UNITS = {
    "dimension": {"in", "ft", "yd", "mm", "cm", "m"},
    "weight": {"oz", "lb", "g", "kg"},
    "volume": {
        "ml",
        "cl",
        "l",
        "m3",
        "us_fl_oz",
        "us_pt",
        "us_qt",
        "us_gal",
        "imp_fl_oz",
        "imp_pt",
        "imp_qt",
    },
}
REFERENCES = {
    "product_reference": "Product",
    "variant_reference": "ProductVariant",
    "customer_reference": "Customer",
    "collection_reference": "Collection",
    "file_reference": None,
    "page_reference": "Page",
    "metaobject_reference": "Metaobject",
}
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_URL = re.compile(r"^(https?|mailto|sms|tel)://?\S+$")


class BadValueError(ValueError):
    """The value does not fit its type; the message is the user error's."""


def name_errors(namespace: str, key: str, app_namespace: str, here: tuple[str, ...]) -> list[UserError]:
    """Length rules of namespace and key, and the namespaces an app may not write."""
    errors: list[UserError] = []
    if not MIN_NAMESPACE <= len(namespace) <= MAX_NAMESPACE:
        errors.append(
            _length_error((*here, "namespace"), "Namespace", len(namespace), MIN_NAMESPACE, MAX_NAMESPACE)
        )
    elif namespace.startswith("shopify") or (namespace.startswith("app--") and namespace != app_namespace):
        message = f"Namespace {namespace} is reserved"
        errors.append(UserError((*here, "namespace"), message, "APP_NOT_AUTHORIZED"))
    if key and not MIN_KEY <= len(key) <= MAX_KEY:
        errors.append(_length_error((*here, "key"), "Key", len(key), MIN_KEY, MAX_KEY))
    return errors


def normalised(type_name: str, value: str) -> str:
    """The value as Shopify stores it.

    Raises:
        BadValueError: The value does not fit ``type_name``.
    """
    if type_name.startswith("list."):
        items = _json(value)
        if not isinstance(items, list):
            raise BadValueError("Value must be a JSON array.")
        inner = type_name.removeprefix("list.")
        decoded = _is_json(inner) or inner == "number_integer"
        texts = [_one(inner, _item_text(inner, item)) for item in items]
        return json.dumps([json.loads(text) if decoded else text for text in texts])
    return _one(type_name, value)


def _one(type_name: str, value: str) -> str:
    check = _CHECKS.get(type_name)
    if check is not None:
        return check(value)
    if type_name in REFERENCES:
        return _reference(type_name, value)
    return value


def _boolean(value: str) -> str:
    word = value.strip().lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return "true" if word in TRUE_WORDS else "false"
    raise BadValueError("Value must be true or false.")


def _integer(value: str) -> str:
    number = _decimal(value, "Value must be an integer.")
    if number != number.to_integral_value():
        raise BadValueError("Value must be an integer.")
    return str(int(number))


def _number_decimal(value: str) -> str:
    return str(_decimal(value, "Value must be a decimal number."))


def _color(value: str) -> str:
    if not _COLOR.match(value.strip()):
        raise BadValueError("Value must be a hexadecimal color code (#RRGGBB).")
    return value.strip()


def _date(value: str) -> str:
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise BadValueError("Value must be a date in ISO 8601 format (YYYY-MM-DD).") from None


def _date_time(value: str) -> str:
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadValueError("Value must be a date and time in ISO 8601 format.") from None
    return value.strip()


def _url(value: str) -> str:
    if not _URL.match(value.strip()):
        raise BadValueError("Value must be a URL with the scheme http, https, mailto, sms or tel.")
    return value.strip()


def _money(value: str) -> str:
    money = _json(value)
    if not isinstance(money, dict) or set(money) != {"amount", "currency_code"}:
        raise BadValueError("Value must be a JSON object with amount and currency_code.")
    _decimal(str(money["amount"]), "Value amount must be a decimal number.")
    if not re.fullmatch(r"[A-Z]{3}", str(money["currency_code"])):
        raise BadValueError("Value currency_code must be a currency code.")
    return json.dumps(money)


def _measure(kind: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        measure = _json(value)
        if not isinstance(measure, dict) or str(measure.get("unit")) not in UNITS[kind]:
            raise BadValueError(f"Value must be a JSON object with value and a {kind} unit.")
        _decimal(str(measure.get("value")), "Value value must be a number.")
        return json.dumps(measure)

    return check


def _rating(value: str) -> str:
    rating = _json(value)
    try:
        low, high, got = (Decimal(str(rating[k])) for k in ("scale_min", "scale_max", "value"))
    except (TypeError, KeyError, InvalidOperation):
        raise BadValueError("Value must be a JSON object with value, scale_min and scale_max.") from None
    if not low <= got <= high:
        raise BadValueError("Value must be between scale_min and scale_max.")
    return json.dumps(rating)


def _json_value(value: str) -> str:
    _json(value)
    return value


def _reference(type_name: str, value: str) -> str:
    parsed = parse_gid(value.strip())
    wanted = REFERENCES[type_name]
    if parsed is None or (wanted is not None and parsed[0] != wanted):
        raise BadValueError(f"Value must be a {wanted or 'file'} global id.")
    return value.strip()


_CHECKS: dict[str, Callable[[str], str]] = {
    "boolean": _boolean,
    "number_integer": _integer,
    "number_decimal": _number_decimal,
    "color": _color,
    "date": _date,
    "date_time": _date_time,
    "url": _url,
    "money": _money,
    "dimension": _measure("dimension"),
    "weight": _measure("weight"),
    "volume": _measure("volume"),
    "rating": _rating,
    "json": _json_value,
}


def _is_json(type_name: str) -> bool:
    return type_name in ("money", "dimension", "weight", "volume", "rating", "json")


def _item_text(type_name: str, item: Any) -> str:
    return json.dumps(item) if _is_json(type_name) else str(item)


def _json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise BadValueError("Value is invalid JSON.") from None


def _decimal(value: str, message: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise BadValueError(message) from None
    if not number.is_finite():
        raise BadValueError(message)
    return number


def _length_error(field: tuple[str, ...], name: str, length: int, low: int, high: int) -> UserError:
    if length < low:
        return UserError(field, f"{name} is too short (minimum is {low} characters)", "TOO_SHORT")
    return UserError(field, f"{name} is too long (maximum is {high} characters)", "TOO_LONG")
