"""Resolvers for ``metafieldsSet`` and the ``metafield``/``metafields`` fields of their owners.

``metafieldsSet(metafields:)`` takes at most 25 entries and writes all or none; owners may be
customers, products, product variants or orders (``HasMetafields``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from graphql import GraphQLResolveInfo

from simulator.resolvers import Resolver
from simulator.resolvers.context import context_of, record_mutation, require_scope
from simulator.resolvers.pagination import connection
from simulator.resolvers.records import legacy_id, number_of
from simulator.stores.common import parse_gid

if TYPE_CHECKING:
    from simulator.state import ShopState

OWNERS = ("Customer", "Product", "ProductVariant", "Order")
WRITE_SCOPES = {
    "Customer": "write_customers",
    "Product": "write_products",
    "ProductVariant": "write_products",
    "Order": "write_orders",
}


def owner_exists(shop: ShopState, owner_id: str) -> bool:
    """Return whether a metafield owner gid names a record of the shop."""
    parsed = parse_gid(owner_id)
    if parsed is None:
        return False
    lookups = {
        "Customer": shop.customers.get,
        "Product": shop.products.get,
        "ProductVariant": shop.products.variant,
        "Order": shop.orders.get,
    }
    lookup = lookups.get(parsed[0])
    return lookup is not None and lookup(owner_id) is not None


def resolve_metafields_set(
    _root: Any, info: GraphQLResolveInfo, metafields: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """``metafieldsSet(metafields:)``: upsert by (owner, namespace, key), atomically."""
    kinds = {parsed[0] for entry in metafields if (parsed := parse_gid(str(entry["ownerId"])))}
    for kind in sorted(kinds & set(OWNERS)):
        require_scope(info, WRITE_SCOPES[kind])
    shop = record_mutation(info).shop
    written, errors = shop.metafields.set_many(metafields, lambda owner: owner_exists(shop, owner))
    return {
        "metafields": written,
        "userErrors": [{**error.to_graphql(), "elementIndex": None} for error in errors],
    }


def resolve_metafield(
    owner: Mapping[str, Any], info: GraphQLResolveInfo, key: str, namespace: str | None = None
) -> dict[str, Any] | None:
    """``<Owner>.metafield(namespace:, key:)``."""
    return context_of(info).shop.metafields.get(owner["id"], namespace, key)


def resolve_metafields(owner: Mapping[str, Any], info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``<Owner>.metafields(namespace:, keys:, first:, ...)``; ``keys`` are ``namespace.key``."""
    records = context_of(info).shop.metafields.for_owner(owner["id"])
    if args.get("namespace"):
        records = [r for r in records if r["namespace"] == args["namespace"]]
    if args.get("keys"):
        records = [r for r in records if f"{r['namespace']}.{r['key']}" in args["keys"]]
    if args.get("reverse"):
        records.reverse()
    return connection(records, args, number_of, number_of)


RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("Mutation", "metafieldsSet"): resolve_metafields_set,
    ("Metafield", "legacyResourceId"): legacy_id,
    **{(owner, "metafield"): resolve_metafield for owner in OWNERS},
    **{(owner, "metafields"): resolve_metafields for owner in OWNERS},
}
