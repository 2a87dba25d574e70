"""Shopify's OAuth endpoints: the install redirect and the token endpoint.

Endpoints (the shop comes from the path, or from ``Host: {shop}.myshopify.com`` without ``/store/{shop}``):
    ``GET  /store/{shop}/admin/oauth/authorize`` - approves at once (no merchant to click) and redirects
    to ``redirect_uri`` with ``code, hmac, host, shop, state, timestamp``, signed with the app's secret.
    ``POST /store/{shop}/admin/oauth/access_token`` - the authorization-code (``expiring=1`` for an
    expiring token and a refresh token), refresh-token and client-credentials grants.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from simulator import responses
from simulator.state import ShopState, SimulatorState
from simulator.tokens import GrantRefusedError

AUTHORIZE_PATH = "/admin/oauth/authorize"
TOKEN_PATH = "/admin/oauth/access_token"  # noqa: S105 - a path, not a secret


def sign_params(params: Mapping[str, str], secret: str) -> str:
    """Shopify's callback ``hmac``: HMAC-SHA256 (hex) of the sorted ``k=v`` pairs joined with ``&``.

    ``hmac`` and ``signature`` are left out; ``%`` and ``&`` are escaped in keys and values, ``=`` in keys.
    Kept apart from ``worker.credentials.callback.callback_hmac`` on purpose: the simulator plays Shopify,
    and one shared function would sign and verify with the same bug.
    """

    def escape(text: str, *, key: bool) -> str:
        text = text.replace("%", "%25").replace("&", "%26")
        return text.replace("=", "%3D") if key else text

    message = "&".join(
        f"{escape(k, key=True)}={escape(v, key=False)}"
        for k, v in sorted(params.items())
        if k not in ("hmac", "signature")
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def add_oauth_routes(app: web.Application, key: web.AppKey[SimulatorState]) -> None:
    """Register the OAuth endpoints on ``app``; the state is read from ``app[key]``."""

    def shop_of(request: web.Request, by_path: bool) -> ShopState | None:
        if by_path:
            return request.app[key].find_shop(request.match_info["shop"])
        host = (request.host or "").rsplit(":", 1)[0].lower()
        suffix = ".myshopify.com"
        return request.app[key].find_shop(host[: -len(suffix)]) if host.endswith(suffix) else None

    def authorize_handler(by_path: bool) -> Any:
        async def handler(request: web.Request) -> web.Response:
            shop = shop_of(request, by_path)
            if shop is None:
                return responses.not_found()
            return _authorize(request, shop, request.app[key].wall_clock())

        return handler

    def token_handler(by_path: bool) -> Any:
        async def handler(request: web.Request) -> web.Response:
            shop = shop_of(request, by_path)
            if shop is None:
                return responses.not_found()
            return _grant(shop, await _token_params(request))

        return handler

    app.router.add_get("/store/{shop}" + AUTHORIZE_PATH, authorize_handler(True))
    app.router.add_get(AUTHORIZE_PATH, authorize_handler(False))
    app.router.add_post("/store/{shop}" + TOKEN_PATH, token_handler(True))
    app.router.add_post(TOKEN_PATH, token_handler(False))


def _authorize(request: web.Request, shop: ShopState, now: float) -> web.Response:
    query = request.query
    if not hmac.compare_digest(query.get("client_id", "").encode(), shop.spec.api_key.encode()):
        return _oauth_error(400, "invalid_request", "The client_id is not valid for this shop.")
    redirect_uri = query.get("redirect_uri", "")
    target = urlsplit(redirect_uri)
    if target.scheme not in ("http", "https") or not target.hostname or target.fragment:
        return _oauth_error(400, "invalid_request", "The redirect_uri is missing or not an http(s) URL.")
    if "per-user" in query.getall("grant_options[]", []):
        return _oauth_error(400, "invalid_request", "Online (per-user) tokens are not simulated.")
    scopes = tuple(s.strip() for s in query.get("scope", "").split(",") if s.strip())
    params = {
        "code": shop.tokens.issue_code(scopes or shop.spec.scopes),
        "host": base64.b64encode(f"admin.shopify.com/store/{shop.spec.name}".encode()).decode().rstrip("="),
        "shop": shop.domain,
        "timestamp": str(int(now)),
    }
    if "state" in query:
        params["state"] = query["state"]
    params["hmac"] = sign_params(params, shop.spec.api_secret)
    separator = "&" if target.query else "?"
    return web.Response(status=302, headers={"Location": f"{redirect_uri}{separator}{urlencode(params)}"})


def _grant(shop: ShopState, params: dict[str, str] | None) -> web.Response:
    if params is None:
        return _oauth_error(400, "invalid_request", "The body must be JSON or form-encoded.")
    client_ok = hmac.compare_digest(params.get("client_id", "").encode(), shop.spec.api_key.encode())
    secret_ok = hmac.compare_digest(params.get("client_secret", "").encode(), shop.spec.api_secret.encode())
    if not (client_ok and secret_ok):
        return _oauth_error(400, "invalid_client", "Client authentication failed.")
    grant_type = params.get("grant_type") or ("authorization_code" if "code" in params else "")
    try:
        if grant_type == "authorization_code":
            body = shop.tokens.exchange_code(params.get("code", ""), expiring=params.get("expiring") == "1")
        elif grant_type == "refresh_token":
            body = shop.tokens.refresh(params.get("refresh_token", ""))
        elif grant_type == "client_credentials":
            body = shop.tokens.client_credentials()
        else:
            return _oauth_error(400, "unsupported_grant_type", "The grant_type is not supported.")
    except GrantRefusedError as refused:
        return _oauth_error(400, refused.error, refused.description)
    return web.json_response(body)


async def _token_params(request: web.Request) -> dict[str, str] | None:
    """The request's parameters: query string, then a JSON or form body on top."""
    params = {k: v for k, v in request.query.items()}
    raw = await request.read()
    if not raw.strip():
        return params
    if request.content_type == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(body, dict):
            return None
        params.update({str(k): str(v) for k, v in body.items() if v is not None})
        return params
    form = await request.post()
    params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)
