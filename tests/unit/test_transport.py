"""The shared transport against a local HTTP server: what it keeps of an answer, and what it never does."""

import asyncio

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from worker.errors import NetworkError
from worker.transport import KEEPALIVE_S, TEXT_KEPT, new_session, post_json

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


class ClosesIdleConnections:
    """An HTTP/1.1 server that, like a front end whose idle timer fires just as a request arrives, drops a
    kept-alive connection that idled ``idle_s`` instead of answering on it (the request never ran)."""

    def __init__(self, idle_s):
        self.idle_s = idle_s
        self.answered = 0

    async def handle(self, reader, writer):
        loop = asyncio.get_running_loop()
        last = None
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            if last is not None and loop.time() - last >= self.idle_s:
                writer.close()
                return
            body = b'{"data": {"ok": true}}'
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (len(body), body)
            )
            await writer.drain()
            self.answered += 1
            last = loop.time()


def test_a_connection_idle_longer_than_the_keepalive_is_not_reused():
    # A pooled connection the server already dropped fails the next request on it with
    # ServerDisconnectedError; the worker's session never reuses one idle longer than KEEPALIVE_S.
    server_side = ClosesIdleConnections(idle_s=KEEPALIVE_S)

    async def main():
        server = await asyncio.start_server(server_side.handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
        async with server, new_session() as session:
            first = await post_json(session, url, {"query": "{ a }"}, timeout_s=5, shop="acme")
            await asyncio.sleep(KEEPALIVE_S + 0.1)
            second = await post_json(session, url, {"query": "{ a }"}, timeout_s=5, shop="acme")
        return first.status, second.status

    assert asyncio.run(main()) == (200, 200)
    assert server_side.answered == 2
