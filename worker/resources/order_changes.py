"""What an ``orderUpdate`` sends: only the fields the record sets that differ from Shopify's order.

Sending unchanged fields is not harmless. Shopify validates every field it is given (an address without
a last name or ZIP is refused, FACTS.md), so an order found again after a lost ``orderCreate`` answer
would be dead-lettered for data Shopify already holds; and a field the mapping does not set (custom
attributes default to none) would be cleared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worker.resources.order_models import OrderRecord

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
# The order's current values, as read by the lookups (``order_documents.ORDER_FIELDS``).
ORDER_ADDRESS_NAMES = {"countryCode": "countryCodeV2"}


def changed_fields(record: OrderRecord, order: Mapping[str, Any]) -> dict[str, Any]:
    """The ``OrderInput`` fields (besides ``id``) to send: set by the record and not already so in Shopify.

    Metafields are not read back: they are sent whenever the record sets them (``orderUpdate`` upserts them).
    """
    wanted = record.model_dump(by_alias=True, exclude_none=True, exclude_unset=True, include=UPDATABLE)
    return {name: value for name, value in wanted.items() if not _same(name, value, order)}


def _same(name: str, value: Any, order: Mapping[str, Any]) -> bool:
    if name == "metafields" or name not in order:
        return False
    current = order[name]
    if name == "tags":
        return {str(t).strip() for t in value} == {str(t).strip() for t in current or ()}
    if name == "shippingAddress":
        held = current or {}
        return all(_text(held.get(ORDER_ADDRESS_NAMES.get(k, k))) == _text(v) for k, v in value.items())
    if name == "customAttributes":
        return [(a.get("key"), a.get("value")) for a in value] == [
            (a.get("key"), a.get("value")) for a in current or ()
        ]
    return bool(current == value)


def _text(value: Any) -> str:
    """An address field as Shopify compares it: case and surrounding blanks aside."""
    return str(value or "").strip().casefold()
