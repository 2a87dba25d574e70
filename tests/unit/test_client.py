"""The GraphQL client against a scripted HTTP server: every answer becomes the error it means."""

import asyncio

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from settings import ShopConfig
from worker.client import ShopifyClient
from worker.errors import InvalidTokenError, NetworkError, ServerError, ShopUnavailableError, ThrottledError

TOKEN = "shpat_client_test_secret"


def call(status, body, headers=None, content_type="application/json"):
    async def handler(request):
        assert request.headers["X-Shopify-Access-Token"] == TOKEN
        return web.Response(status=status, text=body, headers=headers or {}, content_type=content_type)

    app = web.Application()
    app.router.add_post("/store/acme/admin/api/2026-07/graphql.json", handler)

    async def main():
        async with TestServer(app) as server, aiohttp.ClientSession() as session:
            shop = ShopConfig(
                shop_name="acme", access_token=TOKEN, admin_url=str(server.make_url("/store/acme"))
            )
            return await ShopifyClient(session, shop).execute("{ shop { name } }")

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (404, "<html>Not Found</html>", {}, ShopUnavailableError),  # a wrong domain answers HTML, not JSON
        (423, "<html>Locked</html>", {}, ShopUnavailableError),
        (402, "<html>Payment required</html>", {}, ShopUnavailableError),
        (429, "<html>Too many</html>", {"Retry-After": "1.5"}, ThrottledError),
        (401, '{"errors":"[API] Invalid API key or access token"}', {}, InvalidTokenError),
        (503, "<html>Service unavailable</html>", {}, ServerError),
        (200, "<html>captive portal</html>", {}, ServerError),
        (200, '{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]}', {}, ThrottledError),
    ],
)
def test_answers_are_classified(status, body, headers, error):
    with pytest.raises(error) as exc:
        call(status, body, headers, content_type="text/html" if body.startswith("<") else "application/json")
    assert TOKEN not in str(exc.value)
    if status == 429:
        assert exc.value.retry_after_s == 1.5


def test_success_carries_cost_and_request_id():
    body = (
        '{"data":{"shop":{"name":"A"}},"extensions":{"cost":{"requestedQueryCost":1,"actualQueryCost":1,'
        '"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1999,"restoreRate":100.0}}}}'
    )
    result = call(200, body, {"X-Request-Id": "abc"})
    assert result.data == {"shop": {"name": "A"}} and result.request_id == "abc"
    assert result.throttle_status["currentlyAvailable"] == 1999 and result.requested_cost == 1


def test_no_answer_is_a_network_error():
    async def main():
        async with aiohttp.ClientSession() as session:
            shop = ShopConfig(shop_name="acme", access_token=TOKEN, admin_url="http://127.0.0.1:9/store/acme")
            return await ShopifyClient(session, shop, timeout_s=2).execute("{ shop { name } }")

    with pytest.raises(NetworkError) as exc:
        asyncio.run(main())
    assert TOKEN not in str(exc.value)
