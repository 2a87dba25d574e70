"""run_in_thread and the control endpoints, driven by a plain aiohttp client."""

import asyncio
import socket

import aiohttp
import pytest

from simulator import FaultConfig, ShopSpec, SimulatorState, run_in_thread
from tests.unit.test_simulator_documents import DOCUMENTS


async def call(method, url, **kwargs):
    async with aiohttp.ClientSession() as session, session.request(method, url, **kwargs) as response:
        return response.status, await response.json(content_type=None)


def request(method, url, **kwargs):
    return asyncio.run(call(method, url, **kwargs))


@pytest.fixture
def sim():
    with run_in_thread(SimulatorState([ShopSpec("acme", "tok")])) as running:
        yield running


def test_urls(sim):
    assert sim.base_url == f"http://127.0.0.1:{sim.port}"
    assert sim.shop_url("acme") == f"{sim.base_url}/store/acme"


def test_graphql_over_a_real_socket(sim):
    url = sim.shop_url("acme") + "/admin/api/2026-07/graphql.json"
    status, body = request(
        "POST", url, json={"query": DOCUMENTS["shop"]}, headers={"X-Shopify-Access-Token": "tok"}
    )
    assert status == 200 and body["data"]["shop"]["name"] == "acme"


def test_add_shop_then_write_and_list_customers(sim):
    status, spec = request(
        "POST",
        f"{sim.base_url}/_simulator/shops",
        json={"name": "beta", "access_token": "t2", "bucket_size": 100, "restore_rate": 10},
    )
    assert status == 201
    assert spec == {
        "name": "beta",
        "access_token": "t2",
        "bucket_size": 100.0,
        "restore_rate": 10.0,
        "scopes": ["write_customers", "write_products", "write_orders", "write_inventory", "read_locations"],
    }
    assert sim.state.shop("beta").bucket.capacity == 100.0
    url = sim.shop_url("beta") + "/admin/api/2026-07/graphql.json"
    status, body = request(
        "POST",
        url,
        headers={"X-Shopify-Access-Token": "t2"},
        json={"query": DOCUMENTS["customer_set_small"], "variables": {"input": {"email": "a@b.co"}}},
    )
    assert status == 200 and body["data"]["customerSet"]["userErrors"] == []
    status, customers = request("GET", f"{sim.base_url}/_simulator/shops/beta/customers")
    assert status == 200 and [c["email"] for c in customers] == ["a@b.co"]


def test_add_shop_errors(sim):
    assert (
        request("POST", f"{sim.base_url}/_simulator/shops", json={"name": "acme", "access_token": "x"})[0]
        == 409
    )
    assert request("POST", f"{sim.base_url}/_simulator/shops", json={"name": "x", "bogus": 1})[0] == 422
    assert request("POST", f"{sim.base_url}/_simulator/shops", data=b"{nope")[0] == 400
    assert request("GET", f"{sim.base_url}/_simulator/shops/nope/customers")[0] == 404


def test_set_and_get_faults(sim):
    status, body = request(
        "POST",
        f"{sim.base_url}/_simulator/faults",
        json={"error_rate": 0.25, "error_statuses": [503], "throttle_response": "http429"},
    )
    assert status == 200
    assert body == {
        **FaultConfig(error_rate=0.25, error_statuses=(503,), throttle_response="http429").to_dict()
    }
    assert sim.state.faults.error_statuses == (503,)
    assert request("GET", f"{sim.base_url}/_simulator/faults")[1] == body
    assert request("POST", f"{sim.base_url}/_simulator/faults", json={"error_rate": 2})[0] == 422
    assert request("POST", f"{sim.base_url}/_simulator/faults", json={})[1] == FaultConfig().to_dict()


def test_revoke_and_stats(sim):
    status, body = request("POST", f"{sim.base_url}/_simulator/shops/acme/revoke")
    assert (status, body) == (200, {"shop": "acme", "revoked": True})
    url = sim.shop_url("acme") + "/admin/api/2026-07/graphql.json"
    assert (
        request("POST", url, json={"query": DOCUMENTS["shop"]}, headers={"X-Shopify-Access-Token": "tok"})[0]
        == 401
    )
    status, stats = request("GET", f"{sim.base_url}/_simulator/stats")
    assert status == 200
    assert stats == {
        "by_status": {"401": 1},
        "requests_total": 1,
        "throttled": 0,
        "mutations": 0,
        "connection_resets": 0,
        "errors_after_commit": 0,
        "by_shop": {"acme": {"requests": 1, "throttled": 0}},
    }
    assert request("POST", f"{sim.base_url}/_simulator/shops/nope/revoke")[0] == 404


def test_stops_listening_on_exit():
    with run_in_thread(SimulatorState()) as running:
        port = running.port
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
