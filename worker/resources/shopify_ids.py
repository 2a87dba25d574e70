"""Resolve warehouse names to the ids Shopify wants: SKU -> variant and inventory item, location name -> id.

Every resolution goes through the shared ``LookupCache`` first; misses are asked of Shopify in small
queries (their cost grows with ``first``) and cached.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from worker.resources.base import Send, WriteContext

SKU_QUERY_CHUNK = 50

LOCATIONS = """
query Locations($after: String) {
  locations(first: 50, after: $after) {
    nodes { id name }
    pageInfo { hasNextPage endCursor }
  }
}
""".strip()

VARIANTS_BY_SKU = """
query VariantsBySku($first: Int!, $query: String!) {
  productVariants(first: $first, query: $query) {
    nodes { id sku inventoryItem { id } }
  }
}
""".strip()

DOCUMENTS = (LOCATIONS, VARIANTS_BY_SKU)


def search_value(value: str) -> str:
    """A value quoted for Shopify's search syntax."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def location_ids(names: Iterable[str], send: Send, ctx: WriteContext) -> dict[str, str]:
    """Location name -> gid for the names that exist (all locations are cached on a miss)."""
    wanted = set(names)
    found = ctx.lookups.get_many(ctx.shop, "location", wanted) if ctx.lookups else {}
    if wanted <= found.keys():
        return found
    every: dict[str, str] = {}
    after: str | None = None
    while True:
        result = await send(LOCATIONS, {"after": after})
        page: dict[str, Any] = dict(result.data.get("locations") or {})
        every.update({str(n["name"]): str(n["id"]) for n in page.get("nodes") or ()})
        info = page.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            break
        after = info.get("endCursor")
    if ctx.lookups:
        ctx.lookups.put_many(ctx.shop, "location", every)
    return {name: gid for name, gid in every.items() if name in wanted}


async def variants_by_sku(
    skus: Iterable[str], send: Send, ctx: WriteContext
) -> dict[str, list[dict[str, str]]]:
    """SKU -> the variants carrying it, each ``{"variant": gid, "item": inventory item gid}``.

    A SKU Shopify does not know maps to an empty list; one that several variants share maps to all
    of them (the caller decides: an ambiguous SKU is an error, not a guess).
    """
    wanted = list(dict.fromkeys(skus))
    out: dict[str, list[dict[str, str]]] = {}
    cached = ctx.lookups.get_many(ctx.shop, "sku", wanted) if ctx.lookups else {}
    for sku, packed in cached.items():
        variant, _, item = packed.partition("|")
        out[sku] = [{"variant": variant, "item": item}]
    missing = [s for s in wanted if s not in out]
    for start in range(0, len(missing), SKU_QUERY_CHUNK):
        chunk = missing[start : start + SKU_QUERY_CHUNK]
        query = " OR ".join(f"sku:{search_value(s)}" for s in chunk)
        result = await send(VARIANTS_BY_SKU, {"first": min(2 * len(chunk), 250), "query": query})
        nodes = (result.data.get("productVariants") or {}).get("nodes") or ()
        for sku in chunk:
            out[sku] = [
                {"variant": str(n["id"]), "item": str((n.get("inventoryItem") or {}).get("id", ""))}
                for n in nodes
                if n.get("sku") == sku
            ]
        unique = {s: f"{v[0]['variant']}|{v[0]['item']}" for s in chunk if len(v := out[s]) == 1}
        if ctx.lookups:
            ctx.lookups.put_many(ctx.shop, "sku", unique)
    return out
