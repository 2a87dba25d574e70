"""``check_connection``: is the token valid, the API version served, and every needed scope granted?

One GraphQL request (``shop`` and ``currentAppInstallation.accessScopes``) answers all three; each way it
can fail gets its own message, because the user fixes each one differently.
"""

from __future__ import annotations

from collections.abc import Iterable

import aiohttp

from producers.connector.config import ConnectionConfig
from settings import ShopConfig
from worker.api_versions import fallen_forward
from worker.credentials import TokenEndpoint
from worker.credentials.errors import CredentialsError
from worker.errors import (
    InvalidTokenError,
    MissingScopeError,
    NetworkError,
    ShopifyError,
    ShopUnavailableError,
    ThrottledError,
)
from worker.transport import HttpAnswer, post_json

CHECK_QUERY = """
query ConnectionCheck {
  shop { name myshopifyDomain }
  currentAppInstallation { accessScopes { handle } }
}
""".strip()

# The scopes each resource's mutations need (a write scope includes its read scope).
REQUIRED_SCOPES: dict[str, tuple[str, ...]] = {
    "customers": ("write_customers",),
    "products": ("write_products",),
    "orders": ("write_orders",),
    "inventory": ("write_inventory", "read_locations"),
}


def required_scopes(resource: str) -> tuple[str, ...]:
    """The scopes writing ``resource`` needs."""
    return REQUIRED_SCOPES.get(resource, (f"write_{resource}",))


def missing_scopes(granted: Iterable[str], required: Iterable[str]) -> list[str]:
    """The required scopes ``granted`` lacks; ``write_x`` counts as ``read_x`` too."""
    have = set(granted)
    return [s for s in required if s not in have and not (s.startswith("read_") and "write_" + s[5:] in have)]


async def ask(
    session: aiohttp.ClientSession, shop: ShopConfig, token: str, *, timeout_s: float
) -> HttpAnswer:
    """POST the check query to the shop's GraphQL endpoint (never following a redirect).

    Raises:
        NetworkError: When no answer arrived.
    """
    return await post_json(
        session,
        shop.graphql_url,
        {"query": CHECK_QUERY},
        timeout_s=timeout_s,
        shop=shop.shop_name,
        headers={"X-Shopify-Access-Token": token},
    )


async def access_token(session: aiohttp.ClientSession, shop: ShopConfig, *, timeout_s: float) -> str:
    """The configured access token, or one from the client-credentials grant (api_key + api_secret).

    Raises:
        CheckFailedError: When the grant is refused or the token endpoint cannot be reached.
    """
    if shop.access_token is not None:
        return shop.access_token.get_secret_value()

    async def same_session() -> aiohttp.ClientSession:
        return session

    where = shop.admin_url or shop.domain
    try:
        granted = await TokenEndpoint(same_session, timeout_s=timeout_s).client_credentials(shop)
    except CredentialsError as exc:
        raise CheckFailedError(
            f"the client-credentials grant failed on {where}: {exc.message} (the app must belong to the "
            "store's own organisation and be installed on it; otherwise paste an access token)"
        ) from None
    except ShopifyError as exc:
        raise CheckFailedError(f"cannot get a token from {where}: {exc.message}") from None
    return granted.access_token


async def check(config: ConnectionConfig, session: aiohttp.ClientSession, *, timeout_s: float = 15.0) -> str:
    """Check the connection; returns what was verified.

    Raises:
        CheckFailedError: Saying what is wrong and how to fix it.
    """
    shop = config.shop()
    where = shop.admin_url or shop.domain
    token = await access_token(session, shop, timeout_s=timeout_s)
    path = "access token" if shop.access_token is not None else "client-credentials token"
    try:
        answer = await ask(session, shop, token, timeout_s=timeout_s)
    except NetworkError as exc:
        raise CheckFailedError(f"cannot reach {where}: {exc.message}") from None
    error = answer.error(shop=shop.shop_name)
    if answer.status == 404:
        # Not an old API version: Shopify answers those with its oldest supported one (FACTS.md).
        raise CheckFailedError(f"shop {where} not found (HTTP 404): check the shop name and admin URL")
    if isinstance(error, InvalidTokenError):
        raise CheckFailedError(
            f"Shopify rejected the {path} for {where} (HTTP 401): it is wrong, revoked or expired; "
            "paste a current token of the app installed on this store"
        )
    if isinstance(error, MissingScopeError):
        raise CheckFailedError(f"the access token may not read the app installation on {where}: {error}")
    if isinstance(error, ShopUnavailableError):
        raise CheckFailedError(
            f"shop {where} cannot take writes now (HTTP {answer.status}: frozen, unpaid or locked)"
        )
    if isinstance(error, ThrottledError):
        raise CheckFailedError(f"Shopify throttled the check on {where}; try again in a few seconds")
    if error is not None:
        raise CheckFailedError(f"unexpected answer from {where}: {error}")
    version_warning = fallen_forward(shop.api_version, answer.headers.get("X-Shopify-API-Version"))
    data = answer.body["data"]
    granted = [s["handle"] for s in ((data.get("currentAppInstallation") or {}).get("accessScopes") or [])]
    lacking = {r: missing_scopes(granted, required_scopes(r)) for r in config.resources}
    problems = [f"{', '.join(scopes)} (for {r})" for r, scopes in lacking.items() if scopes]
    configured = missing_scopes(granted, shop.scopes)
    if configured:
        problems.append(f"{', '.join(configured)} (in the configured scopes)")
    if problems:
        raise CheckFailedError(
            f"the {path} for {where} lacks scope(s) {'; '.join(problems)}; granted: "
            f"{', '.join(sorted(granted)) or 'none'}. Add them to the app's access scopes and reinstall it"
        )
    name = (data.get("shop") or {}).get("name") or shop.shop_name
    served = f"; warning: {version_warning}" if version_warning else ""
    return (
        f"connected to {name} ({shop.domain}) on Admin API {shop.api_version} with the {path}; "
        f"scopes granted for {', '.join(config.resources)}{served}"
    )


class CheckFailedError(Exception):
    """The connection check failed; ``str()`` is the message shown to the user."""
