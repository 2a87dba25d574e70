"""The shared transport against a local HTTP server: what it keeps of an answer, and what it never does."""

import asyncio

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from worker.errors import NetworkError
from worker.transport import TEXT_KEPT, post_json

TOKEN = "shpat_transport_secret"


def post(handler, *, timeout_s=5.0):
    """Serve ``handler`` at /x, POST to it once with a token header; returns (answer, requests seen)."""
    seen = []

    async def recorded(request):
        seen.append((request.path, request.headers.get("X-Shopify-Access-Token"), await request.json()))
        return await handler(request)

    async def elsewhere(request):
        seen.append((request.path, request.headers.get("X-Shopify-Access-Token"), None))
        return web.json_response({"stolen": True})

    app = web.Application()
    app.router.add_post("/x", recorded)
    app.router.add_post("/elsewhere", elsewhere)

    async def main():
        async with TestServer(app) as server, aiohttp.ClientSession() as session:
            return await post_json(
                session,
                str(server.make_url("/x")),
                {"query": "{ shop { name } }"},
                timeout_s=timeout_s,
                shop="acme",
                headers={"X-Shopify-Access-Token": TOKEN},
            )

    return asyncio.run(main()), seen


def test_json_answer_and_kept_headers():
    async def handler(request):
        headers = {"X-Request-Id": "r-1", "X-Shopify-API-Version": "2026-07", "Set-Cookie": "a=b"}
        return web.json_response({"data": {"shop": {"name": "A"}}}, headers=headers)

    answer, seen = post(handler)
    assert answer.status == 200 and answer.body == {"data": {"shop": {"name": "A"}}}
    assert dict(answer.headers) == {"X-Request-Id": "r-1", "X-Shopify-API-Version": "2026-07"}
    assert seen == [("/x", TOKEN, {"query": "{ shop { name } }"})]
    assert answer.error(shop="acme") is None


def test_an_answer_that_is_not_json_keeps_its_start_as_text():
    async def handler(request):
        return web.Response(status=503, text="<html>" + "x" * 1000, content_type="text/html")

    answer, _ = post(handler)
    assert answer.status == 503 and answer.body == answer.text and len(answer.text) == TEXT_KEPT


def test_a_redirect_is_not_followed():
    async def handler(request):
        raise web.HTTPFound("/elsewhere")

    answer, seen = post(handler)
    assert answer.status == 302 and [path for path, _, _ in seen] == ["/x"]
    assert answer.error(shop="acme") is not None


def test_no_answer_is_a_network_error_without_the_token():
    async def handler(request):
        await asyncio.sleep(2)
        return web.json_response({})

    with pytest.raises(NetworkError) as caught:
        post(handler, timeout_s=0.2)
    assert str(caught.value).startswith("no answer from Shopify: ") and TOKEN not in str(caught.value)
