"""HTTP answers that are not GraphQL results, with Shopify's bodies."""

from __future__ import annotations

import math
from typing import Any

from aiohttp import web

RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"  # noqa: S105
EXCEEDED_CALLS = (
    "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
)

_EDGE_PAGE = """<!DOCTYPE html>
<html lang="en">
  <head><meta charset="utf-8"><title>{title}</title></head>
  <body><h1>{title}</h1><p>There was a problem loading this website. Please try again.</p></body>
</html>
"""
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def not_found() -> web.Response:
    """404 for an unknown shop, API version or path."""
    return web.json_response({"errors": "Not Found"}, status=404)


def unauthorized() -> web.Response:
    """401 for a missing, wrong or revoked access token."""
    return web.json_response({"errors": INVALID_TOKEN}, status=401)


def bad_request() -> web.Response:
    """400 for a body that is not JSON or has no ``query``."""
    return web.json_response({"errors": {"query": "Required parameter missing or invalid"}}, status=400)


def server_error(status: int, request_id: str) -> web.Response:
    """Answer an injected 5xx.

    A 500 comes from the GraphQL app itself and is JSON; 502/503/504 come from Shopify's
    edge and are an HTML error page, which clients must survive too.
    """
    if status == 500:
        message = (
            "Internal error. Looks like something went wrong on our end.\n"
            f"Request ID: {request_id} (include this in support requests)."
        )
        body = {
            "errors": [
                {"message": message, "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}}
            ]
        }
        return web.json_response(body, status=500)
    title = f"{status} {_REASONS.get(status, 'Error')}"
    return web.Response(status=status, text=_EDGE_PAGE.format(title=title), content_type="text/html")


def throttled_body(requested: int, throttle_status: dict[str, Any]) -> dict[str, Any]:
    """Return the HTTP 200 ``THROTTLED`` body of a request that was not run."""
    return {
        "errors": [
            {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC}}
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": None,
                "throttleStatus": throttle_status,
            }
        },
    }


def too_many_requests(wait_s: float) -> web.Response:
    """HTTP 429 with ``Retry-After`` in decimal seconds (``"2.0"``), rounded up to 0.1 s."""
    retry_after = max(0.1, math.ceil(wait_s * 10) / 10)
    return web.json_response(
        {"errors": EXCEEDED_CALLS}, status=429, headers={"Retry-After": f"{retry_after:.1f}"}
    )
