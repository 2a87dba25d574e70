"""check_connection against the simulator served in-process: one precise message per way to fail."""

import asyncio

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from producers.connector import check_connection
from producers.connector.check import CHECK_QUERY, CheckFailedError, check, missing_scopes, required_scopes
from producers.connector.config import parse_config
from simulator import ShopSpec, SimulatorState, create_app
from tests.support.admin_schema import load_admin_schema

TOKEN = "shpat_check_token_0001"


def run_check(state_or_app, **fields):
    """Serve ``state_or_app`` on a free local port and check a config pointing at it."""

    async def main():
        app = state_or_app if isinstance(state_or_app, web.Application) else create_app(state_or_app)
        async with TestServer(app) as server:
            raw = {
                "shop_name": "acme",
                "access_token": TOKEN,
                "admin_url": str(server.make_url("/store/acme")),
                "resources": ["customers"],
                **fields,
            }
            async with aiohttp.ClientSession() as session:
                try:
                    return True, await check(parse_config(raw), session, timeout_s=5)
                except CheckFailedError as exc:
                    return False, str(exc)

    return asyncio.run(main())


def state(**spec):
    return SimulatorState([ShopSpec(name="acme", access_token=TOKEN, **spec)])


def test_the_check_query_validates_against_the_real_schema():
    from graphql import parse, validate

    assert validate(load_admin_schema(), parse(CHECK_QUERY)) == []


def test_success_says_what_was_verified():
    ok, message = run_check(state())
    assert ok, message
    assert "acme.myshopify.com" in message and "2026-07" in message and "customers" in message


def test_wrong_token():
    ok, message = run_check(state(), access_token="shpat_wrong_token_1")
    assert not ok
    assert "rejected the access token" in message and "HTTP 401" in message
    assert "shpat_wrong_token_1" not in message


def test_missing_scope_names_scope_and_resource():
    ok, message = run_check(state(scopes=("read_customers", "write_products")))
    assert not ok
    assert "lacks scope(s) write_customers (for customers)" in message
    assert "granted: read_customers, write_products" in message


def test_an_old_api_version_is_answered_with_a_warning_not_refused():
    """FACTS.md: Shopify serves the oldest supported version instead of a retired one (the simulator too)."""
    ok, message = run_check(state(), api_version="2025-01")
    assert ok
    assert "API version 2025-01 is no longer served: Shopify answered with 2026-04" in message


def test_unknown_shop():
    async def main():
        async with TestServer(create_app(state())) as server:
            raw = {
                "shop_name": "globex",
                "access_token": TOKEN,
                "admin_url": str(server.make_url("/store/globex")),
            }
            async with aiohttp.ClientSession() as session:
                with pytest.raises(CheckFailedError) as info:
                    await check(parse_config(raw), session, timeout_s=5)
                return str(info.value)

    message = asyncio.run(main())
    assert message.startswith("shop ") and "not found (HTTP 404)" in message


def test_unreachable_shop():
    result = check_connection(
        {"shop_name": "acme", "access_token": TOKEN, "admin_url": "http://127.0.0.1:9/store/acme"},
        timeout_s=2,
    )
    status = result["connection_status"]
    assert result["type"] == "connection_status" and status["status"] == "failed"
    assert status["message"].startswith("cannot reach http://127.0.0.1:9/store/acme")


def test_a_version_shopify_no_longer_serves():
    scopes = ("write_customers", "write_products", "write_orders", "write_inventory", "read_locations")
    granted = [{"handle": s} for s in scopes]

    async def graphql(request):
        # Shopify serves its oldest supported version instead of a retired one, and says so in a header.
        return web.json_response(
            {"data": {"shop": {"name": "Acme"}, "currentAppInstallation": {"accessScopes": granted}}},
            headers={"X-Shopify-API-Version": "2025-10"},
        )

    app = web.Application()
    app.router.add_post("/store/acme/admin/api/{version}/graphql.json", graphql)
    ok, message = run_check(app, api_version="2025-04")
    assert ok
    assert "warning: API version 2025-04 is no longer served: Shopify answered with 2025-10" in message


def test_a_redirect_is_not_followed():
    seen = []

    async def redirect(request):
        seen.append(request.headers.get("X-Shopify-Access-Token"))
        raise web.HTTPFound("http://127.0.0.1:9/steal")

    app = web.Application()
    app.router.add_post("/store/acme/admin/api/{version}/graphql.json", redirect)
    ok, message = run_check(app)
    assert not ok and "unexpected answer" in message
    assert len(seen) == 1


def test_invalid_config_is_a_failed_status_not_an_exception():
    result = check_connection({"shop_name": "evil.com", "access_token": TOKEN})
    assert result["connection_status"]["status"] == "failed"
    assert result["connection_status"]["message"].startswith("invalid connection config: shop_name:")


@pytest.mark.parametrize(
    ("granted", "required", "missing"),
    [
        (["write_customers"], ["write_customers"], []),
        (["write_inventory"], ["write_inventory", "read_locations"], ["read_locations"]),
        (["write_locations", "write_inventory"], ["write_inventory", "read_locations"], []),
        ([], ["write_products"], ["write_products"]),
    ],
)
def test_missing_scopes(granted, required, missing):
    assert missing_scopes(granted, required) == missing


def test_required_scopes():
    assert required_scopes("customers") == ("write_customers",)
    assert required_scopes("inventory") == ("write_inventory", "read_locations")
    assert required_scopes("widgets") == ("write_widgets",)


def test_a_client_id_and_secret_are_checked_through_the_client_credentials_grant():
    sim = state(api_key="app-id", api_secret="shpss_app_secret_1")
    ok, message = run_check(sim, access_token=None, api_key="app-id", api_secret="shpss_app_secret_1")
    assert ok, message
    assert "client-credentials token" in message
    assert sim.shop("acme").tokens.grants["client_credentials"] == 1


def test_a_wrong_client_secret_says_the_grant_failed_and_never_shows_the_secret():
    ok, message = run_check(
        state(api_key="app-id", api_secret="shpss_app_secret_1"),
        access_token=None,
        api_key="app-id",
        api_secret="shpss_wrong_secret_2",
    )
    assert not ok
    assert "client-credentials grant failed" in message and "shpss_wrong_secret_2" not in message


def test_configured_scopes_the_token_lacks_are_named():
    ok, message = run_check(state(scopes=("write_customers",)), scopes="write_customers, write_orders")
    assert not ok
    assert "write_orders (in the configured scopes)" in message and "for customers" not in message
