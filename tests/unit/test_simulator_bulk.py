"""The simulator's bulk mutations over HTTP, driven by the worker's own ``BulkApi``.

Staged upload, the operation run in the background through the same stores and rules, result files by
``__lineNumber``, the refusals (``NO_SUCH_FILE``, ``INVALID_MUTATION``, ``OPERATION_IN_PROGRESS`` by API
version) and the faults (operation failure with partial data, lines missing, a lost result file).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
import pytest

from settings import ShopConfig
from simulator import ShopSpec, SimulatorState, run_in_thread
from simulator.bulk.book import max_open_operations
from worker.bulk.api import BulkApi, BulkRefusedError, OperationStatus
from worker.bulk.documents import inner_mutation
from worker.client import GraphQLResult, ShopifyClient
from worker.resources import RESOURCES

CUSTOMERS = RESOURCES["customers"]
MUTATION = inner_mutation(CUSTOMERS.mutation, "job-1")


class Direct:
    """The gateway's ``send`` without a limiter (the bucket is not what these tests look at)."""

    def __init__(self, client: ShopifyClient) -> None:
        self.client = client

    async def send(self, document: str, variables: Mapping[str, Any], *, cost: Any = None) -> GraphQLResult:
        return await self.client.execute(document, variables)


def lines(count: int, bad: set[int] = frozenset()) -> bytes:  # type: ignore[assignment]
    out = []
    for i in range(count):
        record = CUSTOMERS.validate({"email": f"b{i}@example.com", "firstName": "Ada"})
        variables = CUSTOMERS.build_variables(record)
        if i in bad:
            variables["input"]["phone"] = "not a phone"
        out.append(json.dumps(variables))
    return ("\n".join(out) + "\n").encode()


@pytest.fixture
def shop_and_run():
    state = SimulatorState([ShopSpec(name="bulk", access_token="shpat_bulk")])
    with run_in_thread(state) as sim:

        def run(scenario, api_version: str = "2026-07"):
            shop = ShopConfig(shop_name="bulk", access_token="shpat_bulk", admin_url=sim.shop_url("bulk"),
                              api_version=api_version)  # fmt: skip

            async def go():
                async with aiohttp.ClientSession() as session:
                    api = BulkApi(Direct(ShopifyClient(session, shop)), session, timeout_s=10)  # type: ignore[arg-type]
                    return await scenario(api)

            return asyncio.run(go())

        yield state.shop("bulk"), run


async def until_finished(api: BulkApi, op_id: str) -> OperationStatus:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = await api.status(op_id)
        if status.finished:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError("operation did not finish")


def test_a_file_runs_through_the_store_and_results_map_by_line(shop_and_run):
    shop, run = shop_and_run

    async def scenario(api: BulkApi):
        path = await api.stage(lines(6, bad={4}), "job-1.jsonl")
        op_id = await api.submit(MUTATION, path, "shopify-sync:job-1")
        status = await until_finished(api, op_id)
        return status, await api.results(status.url or ""), await api.find("Bulk_job_1")

    status, results, found = run(scenario)
    assert status.status == "COMPLETED" and status.object_count == 6 and found == status.id
    assert sorted(results) == list(range(6))
    errors = results[4]["data"]["customerSet"]["userErrors"]
    assert errors and errors[0]["field"] == ["input", "phone"]
    gid = results[0]["data"]["customerSet"]["customer"]["id"]
    assert gid.startswith("gid://shopify/Customer/") and shop.customers.get(gid)["email"] == "b0@example.com"
    assert shop.bucket.status()["currentlyAvailable"] > 1900  # the lines drew nothing from the bucket


def test_refusals(shop_and_run):
    _, run = shop_and_run

    async def scenario(api: BulkApi):
        codes = []
        for mutation, path in [(MUTATION, "tmp/0/bulk/none/x.jsonl"), ("query { shop { name } }", None)]:
            try:
                await api.submit(mutation, path or await api.stage(lines(1), "a.jsonl"), "shopify-sync:j")
            except BulkRefusedError as refused:
                codes.append(refused.code)
        return codes

    assert run(scenario) == ["NO_SUCH_FILE", "INVALID_MUTATION"]


def test_open_operations_per_shop_depend_on_the_api_version(shop_and_run):
    # Versions before 2026-01 allow one; the simulator, like Shopify in late 2026, serves no such version
    # any more (an old one is answered by 2026-04), so five is what a client meets.
    assert (max_open_operations("2025-10"), max_open_operations("2026-01")) == (1, 5)
    shop, run = shop_and_run
    allowed = 5
    shop.bulk.config.lines_per_s = 1  # they stay open

    async def scenario(api: BulkApi):
        started, refused = 0, None
        path = await api.stage(lines(50), "many.jsonl")
        for _ in range(allowed + 1):
            try:
                await api.submit(MUTATION, path, "shopify-sync:many")
                started += 1
            except BulkRefusedError as err:
                refused = err.code
        return started, refused

    assert run(scenario, "2025-10") == (allowed, "OPERATION_IN_PROGRESS")


def test_faults_failed_operation_partial_data_and_lost_results(shop_and_run):
    shop, run = shop_and_run

    async def one(api: BulkApi):
        path = await api.stage(lines(10), "f.jsonl")
        status = await until_finished(api, await api.submit(MUTATION, path, "shopify-sync:fault"))
        url = status.url or status.partial_url
        return status, (await api.results(url)) if url else None

    shop.bulk.config.fail_after_lines = 4
    status, results = run(one)
    assert (status.status, status.error_code, status.url) == ("FAILED", "INTERNAL_SERVER_ERROR", None)
    assert sorted(results) == [0, 1, 2, 3]

    shop.bulk.config.fail_after_lines, shop.bulk.config.partial_every = None, 3
    status, results = run(one)
    assert status.status == "COMPLETED" and sorted(results) == [0, 1, 3, 4, 6, 7, 9]

    shop.bulk.config.partial_every, shop.bulk.config.lose_result = 0, True
    status, results = run(one)
    assert status.status == "COMPLETED" and results is None
