"""Search strings for ``products(query:)`` and ``productVariants(query:)``.

Filters follow the real schema's documentation of these arguments: products understand
``handle`` (a comma-separated list), ``sku``, ``barcode``, ``title``, ``vendor``,
``product_type`` and ``status`` (comma-separated lists), ``tag``, ``tag_not`` and ``id``;
variants understand ``sku``, ``barcode``, ``product_id``, ``id``, ``title``, ``vendor`` and
``product_status``. Bare words match titles. Values match case-insensitively and exactly
(``*`` means "has a value"); ranges and comparators are not supported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from simulator.stores.search import Term, parse_query

Record = Mapping[str, Any]
Getter = Callable[[Record, Sequence[Record]], list[str]]
LIST_FIELDS = frozenset({"handle", "status", "product_type", "product_status", "product_ids"})


def _number(record_id: Any) -> str:
    return str(record_id).split("?", 1)[0].rsplit("/", 1)[-1]


PRODUCT_FIELDS: dict[str, Getter] = {
    "title": lambda p, _v: [p.get("title") or ""],
    "handle": lambda p, _v: [p.get("handle") or ""],
    "vendor": lambda p, _v: [p.get("vendor") or ""],
    "product_type": lambda p, _v: [p.get("productType") or ""],
    "status": lambda p, _v: [p.get("status") or ""],
    "tag": lambda p, _v: list(p.get("tags") or []),
    "id": lambda p, _v: [_number(p["id"])],
    "sku": lambda _p, variants: [v.get("sku") or "" for v in variants],
    "barcode": lambda _p, variants: [v.get("barcode") or "" for v in variants],
}

# For variants the record is the variant and the sequence holds its product.
VARIANT_FIELDS: dict[str, Getter] = {
    "sku": lambda v, _p: [v.get("sku") or ""],
    "barcode": lambda v, _p: [v.get("barcode") or ""],
    "title": lambda v, _p: [v.get("title") or ""],
    "id": lambda v, _p: [_number(v["id"])],
    "product_id": lambda v, _p: [_number(v["productId"])],
    "product_ids": lambda v, _p: [_number(v["productId"])],
    "vendor": lambda _v, product: [p.get("vendor") or "" for p in product],
    "product_status": lambda _v, product: [p.get("status") or "" for p in product],
}


def product_matches(product: Record, variants: Sequence[Record], query: str | None) -> bool:
    """Return whether a product (with its variants) matches a search string."""
    return _matches(product, variants, parse_query(query), PRODUCT_FIELDS, "title")


def variant_matches(variant: Record, product: Record, query: str | None) -> bool:
    """Return whether a variant (of ``product``) matches a search string."""
    return _matches(variant, [product], parse_query(query), VARIANT_FIELDS, "title")


def _matches(
    record: Record,
    related: Sequence[Record],
    groups: list[list[Term]],
    fields: Mapping[str, Getter],
    default: str,
) -> bool:
    if not groups:
        return True
    return any(all(_term(record, related, term, fields, default) for term in group) for group in groups)


def _term(
    record: Record, related: Sequence[Record], term: Term, fields: Mapping[str, Getter], default: str
) -> bool:
    field, negated = term.field, term.negated
    if field == "tag_not":
        field, negated = "tag", not negated
    getter = fields.get(field or default)
    if getter is None:
        return negated  # unknown filters match nothing
    candidates = [c.lower() for c in getter(record, related) if c]
    wanted = term.value.lower()
    if field is None:
        found = any(word in c for c in candidates for word in [wanted])
    elif wanted == "*":
        found = bool(candidates)
    else:
        values = [part.strip() for part in wanted.split(",")] if field in LIST_FIELDS else [wanted]
        found = any(value in candidates for value in values)
    return found != negated
