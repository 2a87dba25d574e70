"""``node(id:)``/``nodes(ids:)`` lookups for products, variants, inventory items, locations and orders."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from simulator.resolvers.context import context_of, require_scope

SCOPES = {
    "Product": "read_products",
    "ProductVariant": "read_products",
    "InventoryItem": "read_inventory",
    "Location": "read_locations",
    "Order": "read_orders",
}


def find_node(info: GraphQLResolveInfo, resource: str, node_id: str) -> dict[str, Any] | None:
    """Return the record of a global id of one of these resources, or ``None``."""
    scope = SCOPES.get(resource)
    if scope is None:
        return None
    require_scope(info, scope)
    shop = context_of(info).shop
    if resource == "Product":
        return shop.products.get(node_id)
    if resource == "ProductVariant":
        return shop.products.variant(node_id)
    if resource == "InventoryItem":
        return shop.inventory.item(node_id)
    if resource == "Location":
        return shop.locations.get(node_id)
    return shop.orders.get(node_id)
