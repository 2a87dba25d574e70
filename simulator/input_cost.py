"""Mutations whose cost depends on their input ("dynamic complexity"), per Shopify's changelog.

- ``productSet`` (2025-10): 10 + 0.2 per variant + 0.6 per variant file + 0.4 per variant
  metafield + 0.4 per product metafield + 1.9 per product file, rounded to the nearest point
  (Shopify's example: one variant costs 10; exact rounding unconfirmed).
- ``metafieldsSet`` (2026-09-15, all versions): 10 + for each distinct owner the weight of its
  type (Order 10, Product 4, Collection 1, Customer 1, Shop 1, others 0).

Every other mutation costs the flat 10. The input part is charged in both the requested and
the actual cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from simulator.stores.common import parse_gid

BASE = 10
OWNER_WEIGHTS = {"Order": 10, "Product": 4, "Collection": 1, "Customer": 1, "Shop": 1}


def mutation_cost(field_name: str, args: Mapping[str, Any]) -> int:
    """Return the cost of one mutation field before its selection is added."""
    if field_name == "productSet":
        return _round(BASE + _product_set(args.get("input") or {}))
    if field_name == "metafieldsSet":
        return BASE + _metafields_set(args.get("metafields") or [])
    return BASE


def _product_set(input: Mapping[str, Any]) -> Decimal:
    variants: Sequence[Mapping[str, Any]] = input.get("variants") or []
    cost = Decimal("0.2") * len(variants)
    cost += Decimal("0.6") * sum(1 for v in variants if v.get("file"))
    cost += Decimal("0.4") * sum(len(v.get("metafields") or []) for v in variants)
    cost += Decimal("0.4") * len(input.get("metafields") or [])
    cost += Decimal("1.9") * len(input.get("files") or [])
    return cost


def _metafields_set(entries: Sequence[Mapping[str, Any]]) -> int:
    owners = {str(entry.get("ownerId")) for entry in entries}
    total = 0
    for owner in owners:
        parsed = parse_gid(owner)
        total += OWNER_WEIGHTS.get(parsed[0], 0) if parsed else 0
    return total


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
