"""Control endpoints under ``/_simulator`` for tests, demos and benchmarks in other processes.

They need no token and are meant for local use only: never expose the simulator beyond
localhost.

- ``GET  /_simulator/shops/{shop}/customers`` - the shop's customers (JSON list)
- ``POST /_simulator/faults`` - replace the fault config (``FaultConfig`` fields; omitted
  fields take their defaults); answers the new config
- ``GET  /_simulator/faults`` - the active fault config
- ``POST /_simulator/shops`` - add a shop (``ShopSpec`` fields); 409 if it exists
- ``POST /_simulator/shops/{shop}/revoke`` - revoke the shop's token
- ``POST /_simulator/shops/{shop}/drain`` - empty the shop's bucket (``{"hold_s": n}``: and keep it empty
  that long): the next requests are throttled
- ``GET  /_simulator/stats`` - request counters
- products, orders, inventory, locations and lost answers: see :mod:`simulator.control_resources`
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from simulator import responses
from simulator.config import FaultConfig, ShopSpec
from simulator.control_resources import add_resource_routes
from simulator.state import SimulatorState


def add_control_routes(app: web.Application, key: web.AppKey[SimulatorState]) -> None:
    """Register the control endpoints on ``app``; the state is read from ``app[key]``."""

    def state_of(request: web.Request) -> SimulatorState:
        return request.app[key]

    async def list_customers(request: web.Request) -> web.Response:
        shop = state_of(request).find_shop(request.match_info["shop"])
        if shop is None:
            return responses.not_found()
        return web.json_response(shop.customers.all())

    async def get_faults(request: web.Request) -> web.Response:
        return web.json_response(state_of(request).faults.to_dict())

    async def set_faults(request: web.Request) -> web.Response:
        payload = await _json_object(request)
        try:
            config = FaultConfig.from_dict(payload or {})
        except (TypeError, ValueError) as error:
            return _invalid(str(error))
        state_of(request).faults = config
        return web.json_response(config.to_dict())

    async def add_shop(request: web.Request) -> web.Response:
        payload = await _json_object(request)
        try:
            spec = ShopSpec.from_dict(payload or {})
            state_of(request).add_shop(spec)
        except TypeError as error:
            return _invalid(str(error))
        except ValueError as error:
            status = 409 if "already exists" in str(error) else 422
            return web.json_response({"errors": str(error)}, status=status)
        return web.json_response(spec.to_dict(), status=201)

    async def revoke(request: web.Request) -> web.Response:
        shop = state_of(request).find_shop(request.match_info["shop"])
        if shop is None:
            return responses.not_found()
        shop.revoke_token()
        return web.json_response({"shop": shop.spec.name, "revoked": True})

    async def drain(request: web.Request) -> web.Response:
        shop = state_of(request).find_shop(request.match_info["shop"])
        if shop is None:
            return responses.not_found()
        payload = await _json_object(request) or {}
        try:
            hold_s = float(payload.get("hold_s", 0.0))
        except (TypeError, ValueError):
            return _invalid("hold_s must be a number of seconds")
        if not 0.0 <= hold_s <= 3600.0:
            return _invalid("hold_s must be between 0 and 3600 seconds")
        shop.bucket.drain(hold_s)
        return web.json_response({"shop": shop.spec.name, "throttle_status": shop.bucket.status()})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(state_of(request).stats())

    app.router.add_get("/_simulator/shops/{shop}/customers", list_customers)
    app.router.add_get("/_simulator/faults", get_faults)
    app.router.add_post("/_simulator/faults", set_faults)
    app.router.add_post("/_simulator/shops", add_shop)
    app.router.add_post("/_simulator/shops/{shop}/revoke", revoke)
    app.router.add_post("/_simulator/shops/{shop}/drain", drain)
    app.router.add_get("/_simulator/stats", stats)
    add_resource_routes(app, key)


async def _json_object(request: web.Request) -> dict[str, Any] | None:
    raw = await request.read()
    if not raw.strip():
        return None
    try:
        payload = json.loads(raw)
    except ValueError as error:
        raise web.HTTPBadRequest(
            text=json.dumps({"errors": "body is not JSON"}), content_type="application/json"
        ) from error
    if not isinstance(payload, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"errors": "body must be a JSON object"}), content_type="application/json"
        )
    return payload


def _invalid(message: str) -> web.Response:
    return web.json_response({"errors": message}, status=422)
