"""Bearer-token authentication and JSON error bodies for the HTTP producer."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OPEN_PATHS = frozenset({"/healthz"})


def json_error(error_class: type[web.HTTPException], reason: str, **extra: object) -> web.HTTPException:
    """An HTTP error whose body is ``{"error": reason, ...}``."""
    # ASCII escapes: a reason that quotes input holding a lone surrogate still encodes
    body = json.dumps({"error": reason, **extra})
    return error_class(text=body, content_type="application/json")


def bearer_auth(token: str) -> Middleware:
    """Refuse (401) every request but the health check that lacks ``Authorization: Bearer <token>``.

    It runs before the body is read, so an unauthenticated caller cannot make the server read anything.
    """
    expected = token.encode()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in OPEN_PATHS:
            return await handler(request)
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        given_bytes = given.strip().encode("utf-8", "surrogateescape")  # headers may hold any byte
        if scheme.lower() != "bearer" or not hmac.compare_digest(given_bytes, expected):
            error = json_error(web.HTTPUnauthorized, "missing or wrong bearer token")
            error.headers["WWW-Authenticate"] = 'Bearer realm="shopify-sync"'
            raise error
        return await handler(request)

    return middleware


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give aiohttp's own errors (404, 405, 413) a JSON body like this server's; other exceptions pass."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.content_type != "application/json" and exc.status >= 400:
            exc.text = json.dumps({"error": exc.text or exc.reason})
            exc.content_type = "application/json"
        raise
