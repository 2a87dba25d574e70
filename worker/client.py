"""Async client for Shopify's GraphQL Admin API: one POST (``worker.transport``), one classified answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from settings.shops import ShopConfig
from worker.credentials.provider import StaticTokenProvider, TokenProvider
from worker.errors import InvalidTokenError, ServerError, alias_errors
from worker.transport import post_json


@dataclass(frozen=True)
class GraphQLResult:
    """A successful GraphQL answer (no top-level errors).

    Attributes:
        data: The ``data`` object.
        request_id: Shopify's ``X-Request-Id``.
        requested_cost: ``extensions.cost.requestedQueryCost``, when present.
        actual_cost: ``extensions.cost.actualQueryCost``, when present.
        throttle_status: ``extensions.cost.throttleStatus``, when present.
    """

    data: Mapping[str, Any]
    request_id: str | None
    requested_cost: float | None
    actual_cost: float | None
    throttle_status: Mapping[str, Any] | None
    api_version: str | None = None  # X-Shopify-API-Version: the version that served the answer
    alias_errors: Mapping[str, str] | None = None  # issue 12: root fields of a pack that failed alone


def cost_of(body: Any) -> Mapping[str, Any]:
    """The ``extensions.cost`` object of a GraphQL answer, or an empty mapping."""
    if isinstance(body, Mapping):
        cost = (body.get("extensions") or {}).get("cost")
        if isinstance(cost, Mapping):
            return cost
    return {}


class ShopifyClient:
    """Sends GraphQL documents to one shop.

    The ``aiohttp.ClientSession`` is created once per worker process and passed in; the access token
    comes from ``tokens`` (default: the shops file's ``access_token``) and goes only into the request
    header, never into an error or a log line.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        shop: ShopConfig,
        *,
        timeout_s: float = 30.0,
        tokens: TokenProvider | None = None,
    ) -> None:
        if tokens is None and shop.access_token is None:
            raise ValueError(f"shop {shop.shop_name!r} has no access_token")
        self._session = session
        self._shop = shop
        self._timeout_s = timeout_s
        self._tokens = tokens or StaticTokenProvider()

    @property
    def shop(self) -> str:
        """The shop handle."""
        return self._shop.shop_name

    @property
    def api_version(self) -> str:
        """The configured Admin API version."""
        return self._shop.api_version

    @property
    def session(self) -> aiohttp.ClientSession:
        """The HTTP session requests go through."""
        return self._session

    async def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> GraphQLResult:
        """POST one document and return its result; after a 401 that renewed the token, POST it once more.

        Raises:
            ShopifyError: The classified failure (throttle, 5xx, network, auth, document errors).
        """
        token = await self._tokens.token(self._shop)
        try:
            return await self._post(token, document, variables)
        except InvalidTokenError:
            if not await self._tokens.on_unauthorized(self._shop, token):
                raise
        return await self._post(await self._tokens.token(self._shop), document, variables)

    async def _post(self, token: str, document: str, variables: Mapping[str, Any] | None) -> GraphQLResult:
        answer = await post_json(
            self._session,
            self._shop.graphql_url,
            {"query": document, "variables": dict(variables or {})},
            timeout_s=self._timeout_s,
            shop=self.shop,
            headers={"X-Shopify-Access-Token": token},
        )
        error = answer.error(shop=self.shop)
        if error is not None:
            raise error
        data = answer.body.get("data")
        if not isinstance(data, Mapping):
            raise ServerError("answer has no data", shop=self.shop, status=answer.status)
        cost = cost_of(answer.body)
        return GraphQLResult(
            data=data,
            request_id=answer.headers.get("X-Request-Id"),
            requested_cost=cost.get("requestedQueryCost"),
            actual_cost=cost.get("actualQueryCost"),
            throttle_status=cost.get("throttleStatus"),
            api_version=answer.headers.get("X-Shopify-API-Version"),
            alias_errors=alias_errors(answer.body),
        )
