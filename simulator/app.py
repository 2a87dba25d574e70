"""The aiohttp application: Shopify's GraphQL endpoints plus the local control endpoints.

Endpoints:
    ``POST /store/{shop}/admin/api/{version}/graphql.json`` - the shop comes from the path.
    ``POST /admin/api/{version}/graphql.json`` - the shop comes from ``Host: {shop}.myshopify.com``.
    ``/admin/oauth/...`` - the OAuth install redirect and token endpoint (see :mod:`simulator.oauth`).
    ``/_simulator/...`` - control endpoints for tests and demos (see :mod:`simulator.control`).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from simulator import responses
from simulator.bulk.routes import add_bulk_routes
from simulator.control import add_control_routes
from simulator.drops import should_drop
from simulator.execution import GraphQLRequest, run_graphql
from simulator.oauth import add_oauth_routes
from simulator.schema import simulator_schema
from simulator.state import SimulatorState
from simulator.versions import served_version

STATE_KEY = web.AppKey("simulator_state", SimulatorState)
REQUEST_ID_KEY = web.RequestKey("request_id", str)
EXECUTED_KEY = web.RequestKey("executed_mutations", tuple)  # mutation fields the request ran
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API_PATH = "/admin/api/{version}/graphql.json"


def create_app(state: SimulatorState) -> web.Application:
    """Return the simulator app serving ``state`` (the schema is built here, once)."""
    simulator_schema()
    app = web.Application(middlewares=[_request_id_middleware])
    app[STATE_KEY] = state
    app.router.add_post("/store/{shop}" + API_PATH, _graphql_by_path)
    app.router.add_post(API_PATH, _graphql_by_host)
    add_oauth_routes(app, STATE_KEY)
    add_control_routes(app, STATE_KEY)
    add_bulk_routes(app, STATE_KEY)
    return app


@web.middleware
async def _request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give every answer an ``X-Request-Id`` and Shopify's JSON body for unknown routes."""
    request_id = str(uuid.uuid4())
    request[REQUEST_ID_KEY] = request_id
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        response = responses.not_found()
    except web.HTTPMethodNotAllowed as error:
        response = web.json_response({"errors": "Method Not Allowed"}, status=405, headers=error.headers)
    response.headers["X-Request-Id"] = request_id
    return response


async def _graphql_by_path(request: web.Request) -> web.StreamResponse:
    return await _graphql(request, request.match_info["shop"])


async def _graphql_by_host(request: web.Request) -> web.StreamResponse:
    host = (request.host or "").rsplit(":", 1)[0].lower()
    suffix = ".myshopify.com"
    shop = host[: -len(suffix)] if host.endswith(suffix) else ""
    return await _graphql(request, shop)


async def _graphql(request: web.Request, shop_name: str) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    decision = state.fault_injector.decide()
    if decision.delay_s:
        await asyncio.sleep(decision.delay_s)
    if decision.reset:
        state.stats_counters.record_reset()
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=204)  # never reaches the client: the connection is gone
    before = None if decision.error_after_commit else decision.error_status
    response = await _answer(request, state, shop_name, before)
    executed = request.get(EXECUTED_KEY, ())
    if executed and state.faults.mutation_time_ms:
        await asyncio.sleep(len(executed) * state.faults.mutation_time_ms / 1000.0)
    if decision.error_after_commit and executed and decision.error_status is not None:
        state.stats_counters.record_error_after_commit()
        response = responses.server_error(decision.error_status, request[REQUEST_ID_KEY])
    elif should_drop(state.answer_drops, decision.drop_after_commit, executed):
        state.stats_counters.record_reset()  # committed, but the client never hears back
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=204)
    state.stats_counters.record_status(response.status, shop_name)
    return response


async def _answer(
    request: web.Request, state: SimulatorState, shop_name: str, injected_status: int | None
) -> web.Response:
    if injected_status is not None:
        return responses.server_error(injected_status, request[REQUEST_ID_KEY])
    version = served_version(request.match_info["version"])
    shop = state.find_shop(shop_name)
    if shop is None or version is None:
        return responses.not_found()
    if not shop.accepts(request.headers.get("X-Shopify-Access-Token")):
        return responses.unauthorized()
    graphql_request = await _read_body(request)
    if graphql_request is None:
        return responses.bad_request()
    outcome = run_graphql(shop, graphql_request, version, f"{request.scheme}://{request.host}")
    state.stats_counters.record_mutations(outcome.mutations)
    request[EXECUTED_KEY] = outcome.executed
    headers = {"X-Shopify-API-Version": version}
    if outcome.status != 200:
        return web.json_response(outcome.body, status=outcome.status, headers={**headers, **outcome.headers})
    if outcome.throttled:
        state.stats_counters.record_throttled(shop.spec.name)
        if state.faults.throttle_response == "http429":
            return responses.too_many_requests(outcome.wait_s)
    return web.json_response(outcome.body, headers=headers)


async def _read_body(request: web.Request) -> GraphQLRequest | None:
    """Parse a JSON (or ``application/graphql``) body; ``None`` when it is unusable."""
    raw = await request.read()
    if request.content_type == "application/graphql":
        query = raw.decode("utf-8", errors="replace")
        return GraphQLRequest(query=query) if query.strip() else None
    try:
        payload: Any = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("query"), str)
        or not payload["query"].strip()
    ):
        return None
    variables = payload.get("variables")
    if isinstance(variables, str):
        try:
            variables = json.loads(variables) if variables.strip() else None
        except ValueError:
            return None
    if variables is not None and not isinstance(variables, dict):
        return None
    operation_name = payload.get("operationName")
    return GraphQLRequest(
        query=payload["query"],
        variables=variables,
        operation_name=operation_name if isinstance(operation_name, str) and operation_name else None,
    )
