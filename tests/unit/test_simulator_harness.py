"""Helpers to drive the simulator app in-process (aiohttp TestServer) from sync tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDict

from simulator import FaultConfig, ShopSpec, SimulatorState, create_app
from tests.unit.test_simulator_documents import DOCUMENTS

TOKEN = "shpat_test_token"
SHOP = "acme"
T = TypeVar("T")


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]  # case-insensitive
    text: str
    body: Any = field(default=None)

    @property
    def data(self) -> Any:
        return self.body["data"]

    @property
    def cost(self) -> dict[str, Any]:
        return self.body["extensions"]["cost"]


def make_state(
    *, faults: FaultConfig | None = None, clock: Callable[[], float] | None = None, **shop: Any
) -> SimulatorState:
    spec = ShopSpec(name=shop.pop("name", SHOP), access_token=shop.pop("access_token", TOKEN), **shop)
    if clock is None:
        return SimulatorState([spec], faults)
    return SimulatorState([spec], faults, clock=clock)


def run(state: SimulatorState, scenario: Callable[[TestClient], Awaitable[T]]) -> T:
    """Run ``scenario`` against a fresh in-process server for ``state``."""

    async def main() -> T:
        async with TestClient(TestServer(create_app(state))) as client:
            return await scenario(client)

    return asyncio.run(main())


async def read(response: ClientResponse) -> Answer:
    text = await response.text()
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    return Answer(response.status, CIMultiDict(response.headers), text, body)


async def post(
    client: TestClient,
    document: str,
    variables: dict[str, Any] | None = None,
    *,
    shop: str = SHOP,
    token: str | None = TOKEN,
    version: str = "2026-07",
    operation_name: str | None = None,
) -> Answer:
    query = DOCUMENTS.get(document, document)
    payload: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation_name:
        payload["operationName"] = operation_name
    headers = {"X-Shopify-Access-Token": token} if token is not None else {}
    async with client.post(
        f"/store/{shop}/admin/api/{version}/graphql.json", json=payload, headers=headers
    ) as response:
        return await read(response)


def graphql(
    state: SimulatorState, document: str, variables: dict[str, Any] | None = None, **kwargs: Any
) -> Answer:
    """Send one document (a DOCUMENTS name or text) and return the answer."""
    return run(state, lambda client: post(client, document, variables, **kwargs))


def graphql_many(state: SimulatorState, calls: list[tuple[str, dict[str, Any] | None]]) -> list[Answer]:
    """Send several documents in order over one server."""

    async def scenario(client: TestClient) -> list[Answer]:
        return [await post(client, document, variables) for document, variables in calls]

    return run(state, scenario)


def customer_set(
    state: SimulatorState, input: dict[str, Any], identifier: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run ``customerSet`` and return its payload (``customer`` and ``userErrors``)."""
    variables: dict[str, Any] = {"input": input}
    if identifier is not None:
        variables["identifier"] = identifier
    answer = graphql(state, "customer_set", variables)
    assert answer.status == 200, answer.text
    assert "errors" not in answer.body, answer.body
    return answer.data["customerSet"]


def test_harness_round_trip():
    answer = graphql(make_state(), "shop")
    assert answer.status == 200
    assert answer.data["shop"]["myshopifyDomain"] == "acme.myshopify.com"
