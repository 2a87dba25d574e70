"""Field types that accept what warehouses hold and give Shopify what it expects.

Each coercion is small and tested on its own: numbers to money strings, "yes"/"1" to booleans,
comma-separated tags to lists, dates to ISO 8601. Empty strings never reach these: the models drop
them first (a blank cell means "no value").
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from worker.resources.blanks import BadJsonText

_TRUE = {"true", "t", "yes", "y", "1", "on"}
_FALSE = {"false", "f", "no", "n", "0", "off"}


def _money(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("is a boolean, not an amount")
    if isinstance(value, int | float | Decimal | str):
        try:
            amount = (
                Decimal(str(value).strip().replace(",", ""))
                if isinstance(value, str)
                else Decimal(str(value))
            )
        except InvalidOperation:
            raise ValueError("is not an amount") from None
        if not amount.is_finite():
            raise ValueError("is not an amount")
        if amount < 0:
            raise ValueError("must not be negative")
        if amount != amount.quantize(Decimal("0.01")):
            amount = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
        return format(amount, "f")
    return value


def _boolean(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("is not a yes/no value")
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    return value


def _tags(value: Any) -> Any:
    if isinstance(value, BadJsonText):
        raise ValueError(value.problem)
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            out.extend(_tags(item) if isinstance(item, str) else [item])
        return out
    return value


def _datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).isoformat()
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("is not an ISO 8601 date or time") from None
        return _datetime(parsed)
    return value


Money = Annotated[str, BeforeValidator(_money), Field(max_length=32)]
"""A non-negative amount as Shopify's ``Money``/``Decimal`` string: ``19.9`` -> ``"19.9"``."""

Boolean = Annotated[bool, BeforeValidator(_boolean)]
"""``true/false``, ``yes/no``, ``1/0``, ``on/off`` in any case."""

Tags = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=255)]], BeforeValidator(_tags), Field(max_length=250)
]
"""A list of tags, or one comma-separated string of them."""

DateTime = Annotated[str, BeforeValidator(_datetime)]
"""A date or date-time, sent as ISO 8601 with a time zone (UTC when none is given)."""

Name = Annotated[str, Field(max_length=255)]
