"""Resolvers for product reads, ``productSet`` and the computed ``Product``/``ProductVariant`` fields."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLResolveInfo

from simulator.resolvers import Resolver
from simulator.resolvers.context import context_of, record_mutation, require_scope
from simulator.resolvers.limits import check_input_sizes
from simulator.resolvers.records import legacy_id, sorted_connection
from simulator.stores.common import gid, parse_gid
from simulator.stores.product_rules import DEFAULT_OPTION, DEFAULT_VALUE, MAX_VARIANTS

PRODUCT_SORTS = {
    "TITLE": lambda p: str(p["title"]).lower(),
    "CREATED_AT": lambda p: p["createdAt"],
    "UPDATED_AT": lambda p: p["updatedAt"],
    "VENDOR": lambda p: str(p["vendor"]).lower(),
    "PRODUCT_TYPE": lambda p: str(p["productType"]).lower(),
}
VARIANT_SORTS = {
    "SKU": lambda v: str(v.get("sku") or ""),
    "TITLE": lambda v: str(v["title"]).lower(),
    "POSITION": lambda v: int(v["position"]),
}


def _canonical(value: str, resource: str) -> str:
    parsed = parse_gid(value)
    return gid(resource, parsed[1]) if parsed and parsed[0] == resource else value


def resolve_product(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """``product(id:)``."""
    require_scope(info, "read_products")
    return context_of(info).shop.products.get(_canonical(id, "Product"))


def resolve_product_by_identifier(
    _root: Any, info: GraphQLResolveInfo, identifier: Mapping[str, Any]
) -> dict[str, Any] | None:
    """``productByIdentifier(identifier:)`` by id, handle or custom id (a product metafield)."""
    require_scope(info, "read_products")
    store = context_of(info).shop.products
    if identifier.get("id") is not None:
        return store.get(_canonical(str(identifier["id"]), "Product"))
    if identifier.get("handle") is not None:
        return store.by_handle(str(identifier["handle"]))
    if identifier.get("customId") is not None:
        return store.by_custom_id(identifier["customId"])
    return None


def resolve_products(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``products(first:, after:, last:, before:, reverse:, sortKey:, query:)``."""
    require_scope(info, "read_products")
    found = context_of(info).shop.products.search(args.get("query"))
    return sorted_connection(found, args, PRODUCT_SORTS, "ID")


def resolve_product_variant(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """``productVariant(id:)``."""
    require_scope(info, "read_products")
    return context_of(info).shop.products.variant(_canonical(id, "ProductVariant"))


def resolve_product_variants(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``productVariants(...)``, e.g. ``query: "sku:ABC-1"`` to find a SKU's inventory item."""
    require_scope(info, "read_products")
    found = context_of(info).shop.products.search_variants(args.get("query"))
    return sorted_connection(found, args, VARIANT_SORTS, "ID")


def resolve_product_set(
    _root: Any,
    info: GraphQLResolveInfo,
    input: Mapping[str, Any],
    identifier: Mapping[str, Any] | None = None,
    synchronous: bool = True,
) -> dict[str, Any]:
    """``productSet(input:, identifier:, synchronous:)``; asynchronous runs finish at once."""
    require_scope(info, "write_products")
    limits = {("input", "variants"): MAX_VARIANTS, ("input", "productOptions", "values"): MAX_VARIANTS}
    check_input_sizes(info, {"input": input}, limits)
    custom = (identifier or {}).get("customId")
    if custom is not None:
        context_of(info).shop.definitions.require("PRODUCT", custom.get("namespace"), custom["key"])
    context = record_mutation(info)
    result = context.shop.products.product_set(input, identifier)
    errors = [error.to_graphql() for error in result.user_errors]
    if synchronous:
        return {"product": result.product, "productSetOperation": None, "userErrors": errors}
    operation = {
        "id": gid("ProductSetOperation", uuid.uuid4().int % 10**12),
        "status": "COMPLETE",
        "product": result.product,
        "userErrors": errors,
    }
    return {"product": None, "productSetOperation": operation, "userErrors": errors}


def resolve_variants(product: Mapping[str, Any], info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """``Product.variants(...)``: every variant, paginated (up to 250 a page)."""
    variants = context_of(info).shop.products.variants_of(product["id"])
    return sorted_connection(variants, args, VARIANT_SORTS, "POSITION")


def resolve_options(
    product: Mapping[str, Any], info: GraphQLResolveInfo, first: int | None = None
) -> list[dict[str, Any]]:
    """``Product.options(first:)`` with ``values`` and ``optionValues { hasVariants }``."""
    variants = context_of(info).shop.products.variants_of(product["id"])
    used = {(s["name"], s["value"]) for v in variants for s in v["selectedOptions"]}
    options = []
    for option in product["options"]:
        values = [
            {**value, "hasVariants": (option["name"], value["name"]) in used}
            for value in option["optionValues"]
        ]
        options.append({**option, "optionValues": values, "values": [value["name"] for value in values]})
    return options if first is None else options[: max(0, first)]


def resolve_total_inventory(product: Mapping[str, Any], info: GraphQLResolveInfo) -> int:
    """``Product.totalInventory``: ``available`` over all variants and locations."""
    shop = context_of(info).shop
    return sum(
        shop.inventory.total_available(v["inventoryItemId"]) for v in shop.products.variants_of(product["id"])
    )


def resolve_tracks_inventory(product: Mapping[str, Any], info: GraphQLResolveInfo) -> bool:
    """``Product.tracksInventory``: whether any variant's inventory item is tracked."""
    shop = context_of(info).shop
    items = (shop.inventory.item(v["inventoryItemId"]) for v in shop.products.variants_of(product["id"]))
    return any(item and item["tracked"] for item in items)


def resolve_has_only_default(product: Mapping[str, Any], _info: GraphQLResolveInfo) -> bool:
    """``Product.hasOnlyDefaultVariant``."""
    options = product["options"]
    return (
        len(options) == 1
        and options[0]["name"] == DEFAULT_OPTION
        and [value["name"] for value in options[0]["optionValues"]] == [DEFAULT_VALUE]
    )


def resolve_selected_options(variant: Mapping[str, Any], info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    """``ProductVariant.selectedOptions`` with each ``optionValue``."""
    product = context_of(info).shop.products.get(variant["productId"]) or {"options": []}
    ids = {(o["name"], v["name"]): v["id"] for o in product["options"] for v in o["optionValues"]}
    return [
        {
            **s,
            "optionValue": {"id": ids.get((s["name"], s["value"])), "name": s["value"], "hasVariants": True},
        }
        for s in variant["selectedOptions"]
    ]


def resolve_display_name(variant: Mapping[str, Any], info: GraphQLResolveInfo) -> str:
    """``ProductVariant.displayName``: "Product title - Variant title"."""
    product = context_of(info).shop.products.get(variant["productId"]) or {"title": ""}
    return f"{product['title']} - {variant['title']}"


RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("QueryRoot", "product"): resolve_product,
    ("QueryRoot", "productByIdentifier"): resolve_product_by_identifier,
    ("QueryRoot", "products"): resolve_products,
    ("QueryRoot", "productVariant"): resolve_product_variant,
    ("QueryRoot", "productVariants"): resolve_product_variants,
    ("Mutation", "productSet"): resolve_product_set,
    ("Product", "legacyResourceId"): legacy_id,
    ("Product", "variants"): resolve_variants,
    ("Product", "variantsCount"): lambda p, _i: {"count": len(p["variantIds"]), "precision": "EXACT"},
    ("Product", "options"): resolve_options,
    ("Product", "totalInventory"): resolve_total_inventory,
    ("Product", "tracksInventory"): resolve_tracks_inventory,
    ("Product", "hasOnlyDefaultVariant"): resolve_has_only_default,
    ("ProductVariant", "legacyResourceId"): legacy_id,
    ("ProductVariant", "product"): lambda v, info: context_of(info).shop.products.get(v["productId"]),
    ("ProductVariant", "inventoryItem"): lambda v, info: context_of(info).shop.inventory.item(
        v["inventoryItemId"]
    ),
    ("ProductVariant", "inventoryQuantity"): lambda v, info: context_of(info).shop.inventory.total_available(
        v["inventoryItemId"]
    ),
    ("ProductVariant", "selectedOptions"): resolve_selected_options,
    ("ProductVariant", "displayName"): resolve_display_name,
}
