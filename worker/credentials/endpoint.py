"""Shopify's token endpoint, ``POST {shop}/admin/oauth/access_token``, for the three grants this project uses.

The request goes through ``worker.transport`` and its status is read by ``worker.errors.classify``, as a
GraphQL answer's is: 429 throttled, 5xx and no answer retryable; any other refusal is a
``CredentialsError`` (the shop is paused until someone runs ``shopify-sync auth``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp

from settings.shops import ShopConfig
from worker.credentials.errors import CredentialsError
from worker.credentials.model import GrantType, StoredCredentials
from worker.errors import RetryableError, ServerError
from worker.transport import post_json

SessionSource = Callable[[], Awaitable[aiohttp.ClientSession]]

_ADVICE: dict[GrantType, str] = {
    "authorization_code": "run `shopify-sync auth install --shop {shop}` again",
    "refresh_token": "the refresh token was revoked, expired or already used: "
    "run `shopify-sync auth install --shop {shop}`",
    "client_credentials": "check api_key/api_secret and that the app is installed on the shop, then run "
    "`shopify-sync auth client-credentials --shop {shop}`",
}


class TokenEndpoint:
    """Asks a shop's token endpoint for tokens with the app's client id and secret (from the shops file)."""

    def __init__(
        self, http: SessionSource, *, timeout_s: float = 15.0, clock: Callable[[], float] = time.time
    ):
        self._http = http
        self._timeout_s = timeout_s
        self._clock = clock

    async def exchange_code(self, shop: ShopConfig, code: str, *, expiring: bool) -> StoredCredentials:
        """The authorization-code grant; ``expiring`` asks for a 1-hour token with a refresh token."""
        params = {"code": code, **({"expiring": "1"} if expiring else {})}
        return await self._request(shop, "authorization_code", params)

    async def refresh(self, shop: ShopConfig, refresh_token: str) -> StoredCredentials:
        """The refresh-token grant: a new access token and a new refresh token (the old one retires)."""
        params = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return await self._request(shop, "refresh_token", params)

    async def client_credentials(self, shop: ShopConfig) -> StoredCredentials:
        """The client-credentials grant (apps of the merchant's own organisation): about 24 h, no refresh."""
        return await self._request(shop, "client_credentials", {"grant_type": "client_credentials"})

    async def _request(
        self, shop: ShopConfig, grant: GrantType, params: Mapping[str, str]
    ) -> StoredCredentials:
        name = shop.shop_name
        if not shop.api_key or shop.api_secret is None:
            raise CredentialsError(
                f"shop {name!r} has no api_key and api_secret in the shops file: OAuth needs the app's "
                "client id and secret",
                shop=name,
            )
        client_secret = shop.api_secret.get_secret_value()
        secrets = [client_secret, *(v for k, v in params.items() if k in ("code", "refresh_token"))]
        body = {"client_id": shop.api_key, "client_secret": client_secret, **params}
        answer = await post_json(
            await self._http(),
            f"{shop.admin_base_url}/admin/oauth/access_token",
            body,
            timeout_s=self._timeout_s,
            shop=name,
            peer="the token endpoint",
        )
        error = answer.error(shop=name, graphql=False)
        if isinstance(error, RetryableError):  # 429, 5xx: try again later
            error.message = _redact(f"token endpoint: {error.message}", secrets)
            raise error
        if answer.status == 200:
            try:
                return StoredCredentials.from_grant(answer.body, grant=grant, now=self._clock())
            except ValueError as exc:
                raise ServerError(
                    f"unusable token endpoint answer: {exc}", shop=name, status=answer.status
                ) from None
        reason = _redact(_oauth_reason(answer.body, answer.text), secrets)
        advice = _ADVICE[grant].format(shop=name)
        raise CredentialsError(f"{grant} grant refused ({reason}); {advice}", shop=name, status=answer.status)


def _oauth_reason(answer: Any, text: str) -> str:
    if isinstance(answer, Mapping):
        parts = [str(answer[k]) for k in ("error", "error_description", "errors") if answer.get(k)]
        if parts:
            return ": ".join(parts)[:200]
    return text[:100] or "no body"


def _redact(text: str, secrets: list[str]) -> str:
    """Drop any of our own secrets an error body might echo back."""
    for secret in secrets:
        if len(secret) >= 6:
            text = text.replace(secret, "[redacted]")
    return text
