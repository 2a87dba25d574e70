"""Lookup costs: the simulator charges what live stores charge, and the gateway reserves what a lookup costs.

FACTS.md, "More observed on live stores": a connection of scalar-only nodes costs
first=1 -> 3, 2 -> 3, 3 -> 4, 5 -> 5, 10 -> 6, 20 -> 7, 50 -> 9, 100 -> 11, 200 -> 12, 250 -> 13;
money objects add nothing, ``count`` fields cost 10.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from producers.connector.check import CHECK_QUERY
from tests.unit.test_simulator_cost import cost_of
from worker.batch import PROBE
from worker.client import GraphQLResult
from worker.cost_estimate import estimate
from worker.credentials.status import ACCESS_SCOPES_QUERY
from worker.gateway import ShopGateway
from worker.ratelimit.limiter import Reservation
from worker.resources.orders import FIND_ORDER, ORDER_ADDRESS, ORDER_BY_ID
from worker.resources.shopify_ids import LOCATIONS, VARIANTS_BY_SKU

FACTS_CONNECTION = {1: 3, 2: 3, 3: 4, 5: 5, 10: 6, 20: 7, 50: 9, 100: 11, 200: 12, 250: 13}

SCALAR_NODES = "query Q($first: Int!) { customers(first: $first) { nodes { id email } } }"


@pytest.mark.parametrize(("first", "expected"), sorted(FACTS_CONNECTION.items()))
def test_simulator_charges_a_scalar_connection_as_observed(first, expected):
    assert cost_of(SCALAR_NODES, {"first": first}).requested() == expected
    assert estimate(SCALAR_NODES, {"first": first}) == expected


def test_money_objects_are_free_and_counts_cost_ten():
    money = 'query { order(id: "gid://shopify/Order/1") { id totalPriceSet { shopMoney { amount } } } }'
    assert cost_of(money).requested() == 1
    count = 'query { product(id: "gid://shopify/Product/1") { id variantsCount { count } } }'
    assert cost_of(count).requested() == 1 + 10
    assert estimate(count) == 1 + 10


# Every lookup the connector sends, with the figure FACTS.md's rule gives for it:
# 2 + max(1, floor(2 ln first)) x node, node = 1 + the objects inside it.
LOOKUPS = [
    ("locations", LOCATIONS, {"after": None}, 2 + 7 * 1),  # FACTS.md: "costs about 9, not 52"
    ("skus-1", VARIANTS_BY_SKU, {"first": 2, "query": "sku:a"}, 2 + 1 * 2),
    ("skus-5", VARIANTS_BY_SKU, {"first": 10, "query": "sku:a"}, 2 + 4 * 2),
    ("skus-50", VARIANTS_BY_SKU, {"first": 100, "query": "sku:a"}, 2 + 9 * 2),
    ("skus-max", VARIANTS_BY_SKU, {"first": 250, "query": "sku:a"}, 2 + 11 * 2),
    ("find-order", FIND_ORDER, {"query": "source_identifier:x"}, 2 + 3 * 1),
    ("order-by-id", ORDER_BY_ID, {"id": "gid://shopify/Order/1"}, 1),
    ("order-address", ORDER_ADDRESS, {"id": "gid://shopify/Order/1"}, 1),
    ("probe", PROBE, {}, 1),
    ("scopes", ACCESS_SCOPES_QUERY, {}, 2),
    ("check", CHECK_QUERY, {}, 3),
]


@pytest.mark.parametrize(
    ("document", "variables", "facts"), [c[1:] for c in LOOKUPS], ids=[c[0] for c in LOOKUPS]
)
def test_every_connector_lookup_costs_what_facts_says(document, variables, facts):
    simulated = cost_of(document, variables).requested()
    assert abs(simulated - facts) <= 1
    assert estimate(document, variables) == simulated


class _Limiter:
    """Records what each send reserves."""

    def __init__(self) -> None:
        self.reserved: list[float] = []

    async def acquire(self, shop: str, cost: float, **_: Any) -> Reservation:
        self.reserved.append(cost)
        return Reservation(
            shop=shop, token="t", cost=cost, granted=True, wait_s=0.0, available=0.0, learned=True
        )

    def reconcile(self, *_: Any) -> float:
        return 0.0


class _Client:
    shop = "acme"

    def __init__(self) -> None:
        self.requested: list[float] = []

    async def execute(self, document: str, variables: Mapping[str, Any]) -> GraphQLResult:
        cost = float(cost_of(document, dict(variables)).requested())
        return GraphQLResult({"productVariants": {"nodes": []}}, "req", cost, cost, None)


def test_gateway_reserves_a_lookup_by_its_page_size():
    limiter = _Limiter()
    gateway = ShopGateway(_Client(), limiter, max_wait_s=1.0)  # type: ignore[arg-type]

    async def sends() -> None:
        await gateway.send(VARIANTS_BY_SKU, {"first": 250, "query": "sku:a"})
        await gateway.send(VARIANTS_BY_SKU, {"first": 2, "query": "sku:b"})
        await gateway.send(VARIANTS_BY_SKU, {"first": 250, "query": "sku:c"})

    asyncio.run(sends())
    # A first: 2 lookup after a first: 250 one is not charged 24 points: each page size has its cost.
    assert limiter.reserved == [24.0, 4.0, 24.0]
    assert gateway.cost_of(VARIANTS_BY_SKU, {"first": 10}) == 10.0
