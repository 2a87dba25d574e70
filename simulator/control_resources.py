"""Control endpoints for products, orders, inventory and lost answers (local use only, no token).

- ``GET  /_simulator/shops/{shop}/products``  - products with variants, inventory items, metafields
- ``GET  /_simulator/shops/{shop}/orders``    - orders (with metafields)
- ``GET  /_simulator/shops/{shop}/inventory`` - one entry per (inventory item, location) level
- ``GET  /_simulator/shops/{shop}/locations`` - the shop's locations
- ``GET  /_simulator/shops/{shop}/inventory-applies`` - ``{"by_key": {key: n}, "levels": [{"sku",
  "locationName", "changes"}]}``: real applies of ``inventorySetQuantities`` (replays excluded)
- ``POST /_simulator/shops/{shop}/metafield-definitions`` - ``{"ownerType": "CUSTOMER", "namespace":
  "erp", "key": "id"}``: a unique definition, so ``customId`` upserts on that key work (201)
- ``POST /_simulator/drops``   - ``{"operation": "orderCreate", "count": 1}``: commit, then drop the
  answers of the next ``count`` requests that run that mutation; answers the drop counters
- ``GET  /_simulator/drops``   - ``{"pending": {...}, "dropped": {...}}``
- ``DELETE /_simulator/drops`` - forget pending drops
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from simulator import responses
from simulator.state import ShopState, SimulatorState


def inventory_levels(shop: ShopState) -> list[dict[str, Any]]:
    """Return every inventory level with its item's SKU and location name (JSON-ready)."""
    names = {location["id"]: location["name"] for location in shop.locations.all()}
    levels = []
    for level in shop.inventory.levels():
        item = shop.inventory.item(level["itemId"]) or {}
        levels.append(
            {
                "id": level["id"],
                "inventoryItemId": level["itemId"],
                "sku": item.get("sku"),
                "locationId": level["locationId"],
                "locationName": names.get(level["locationId"]),
                **level["quantities"],
            }
        )
    return levels


def inventory_applies(shop: ShopState) -> dict[str, Any]:
    """Applies per idempotency key, and changes per level with its SKU and location name (JSON-ready)."""
    names = {location["id"]: location["name"] for location in shop.locations.all()}
    levels = [
        {
            "sku": (shop.inventory.item(item_id) or {}).get("sku"),
            "locationName": names.get(location_id),
            "changes": count,
        }
        for (item_id, location_id), count in shop.inventory_applies.by_level().items()
    ]
    return {"by_key": shop.inventory_applies.by_key(), "levels": levels}


def add_resource_routes(app: web.Application, key: web.AppKey[SimulatorState]) -> None:
    """Register the resource and drop endpoints on ``app``; the state is read from ``app[key]``."""

    def shop_list(read: Callable[[ShopState], Any]) -> Callable[[web.Request], Any]:
        async def handler(request: web.Request) -> web.Response:
            shop = request.app[key].find_shop(request.match_info["shop"])
            if shop is None:
                return responses.not_found()
            return web.json_response(read(shop))

        return handler

    async def arm_drops(request: web.Request) -> web.Response:
        try:
            payload = json.loads(await request.read() or b"{}")
            request.app[key].drop_answers(str(payload["operation"]), int(payload.get("count", 1)))
        except (ValueError, KeyError, TypeError) as error:
            return web.json_response(
                {"errors": f"expected {{'operation': name, 'count': n}}: {error}"}, status=422
            )
        return web.json_response(request.app[key].answer_drops.snapshot())

    async def get_drops(request: web.Request) -> web.Response:
        return web.json_response(request.app[key].answer_drops.snapshot())

    async def clear_drops(request: web.Request) -> web.Response:
        request.app[key].answer_drops.clear()
        return web.json_response(request.app[key].answer_drops.snapshot())

    async def define_unique(request: web.Request) -> web.Response:
        shop = request.app[key].find_shop(request.match_info["shop"])
        if shop is None:
            return responses.not_found()
        try:
            payload = json.loads(await request.read() or b"{}")
            shop.definitions.add(str(payload["ownerType"]), payload.get("namespace"), str(payload["key"]))
        except (ValueError, KeyError, TypeError) as error:
            message = f"expected {{'ownerType', 'namespace', 'key'}}: {error}"
            return web.json_response({"errors": message}, status=422)
        return web.json_response(payload, status=201)

    app.router.add_post("/_simulator/shops/{shop}/metafield-definitions", define_unique)
    app.router.add_get("/_simulator/shops/{shop}/products", shop_list(lambda shop: shop.products.all()))
    app.router.add_get("/_simulator/shops/{shop}/orders", shop_list(lambda shop: shop.orders.all()))
    app.router.add_get("/_simulator/shops/{shop}/inventory", shop_list(inventory_levels))
    app.router.add_get("/_simulator/shops/{shop}/inventory-applies", shop_list(inventory_applies))
    app.router.add_get("/_simulator/shops/{shop}/locations", shop_list(lambda shop: shop.locations.all()))
    app.router.add_post("/_simulator/drops", arm_drops)
    app.router.add_get("/_simulator/drops", get_drops)
    app.router.add_delete("/_simulator/drops", clear_drops)
