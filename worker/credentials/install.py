"""The authorization-code install: a local callback server, the authorize URL, and the code exchange.

``run_install`` serves ``redirect_uri`` on this machine, reports the URL the merchant opens, verifies
each callback (``callback.CallbackVerifier``), exchanges the first good one's code and stores the
credentials. Rejected callbacks are answered 400 and reported; the install keeps waiting for a good one
until its timeout.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from settings.shops import ShopConfig
from worker.credentials.callback import CallbackRejectedError, CallbackVerifier, StateNonces
from worker.credentials.endpoint import TokenEndpoint
from worker.credentials.errors import CredentialsError
from worker.credentials.model import StoredCredentials
from worker.credentials.store import CredentialStore
from worker.errors import ShopifyError

DEFAULT_CALLBACK_PORT = 8789
CALLBACK_PATH = "/callback"


@dataclass(frozen=True)
class InstallPlan:
    """One install.

    Attributes:
        shop: The shop, with the app's ``api_key`` and ``api_secret``.
        scopes: The scopes to ask for.
        expiring: Ask for an expiring token and a refresh token (Shopify's default for new public apps).
        host: Interface the callback server binds.
        port: Its port; 0 picks a free one.
        redirect_uri: The URL registered in the app's configuration, when it is not
            ``http://{host}:{port}/callback`` (a tunnel, say); its path is served locally.
        timeout_s: How long to wait for the merchant.
    """

    shop: ShopConfig
    scopes: tuple[str, ...]
    expiring: bool = True
    host: str = "127.0.0.1"
    port: int = DEFAULT_CALLBACK_PORT
    redirect_uri: str | None = None
    timeout_s: float = 300.0


def authorize_url(shop: ShopConfig, scopes: tuple[str, ...], redirect_uri: str, state: str) -> str:
    """The page where the merchant approves the app (offline access: no ``grant_options[]``)."""
    query = urlencode(
        {
            "client_id": shop.api_key or "",
            "scope": ",".join(scopes),
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    return f"{shop.admin_base_url}/admin/oauth/authorize?{query}"


async def run_install(
    plan: InstallPlan,
    *,
    endpoint: TokenEndpoint,
    store: CredentialStore,
    report: Callable[[str], None],
    clock: Callable[[], float] = time.time,
) -> StoredCredentials:
    """Run the install; ``report`` receives the authorize URL, then one line per rejected callback.

    Raises:
        CredentialsError: When the shop has no app credentials, or no good callback came in time.
        ShopifyError: When the code exchange failed.
    """
    shop = plan.shop
    if not shop.api_key or shop.api_secret is None:
        raise CredentialsError(
            f"shop {shop.shop_name!r} needs api_key and api_secret in the shops file for an install",
            shop=shop.shop_name,
        )
    nonces = StateNonces()
    verifier = CallbackVerifier(shop.api_secret.get_secret_value(), shop.domain, nonces, clock=clock)
    finished: asyncio.Future[StoredCredentials] = asyncio.get_running_loop().create_future()

    async def callback(request: web.Request) -> web.Response:
        if finished.done():
            return web.Response(status=410, text="This install has already finished.\n")
        try:
            code = verifier.verify(request.query.items())
        except CallbackRejectedError as exc:
            report(f"rejected a callback: {exc}")
            return web.Response(status=400, text=f"Callback rejected: {exc}\n")
        try:
            credentials = await endpoint.exchange_code(shop, code, expiring=plan.expiring)
            store.put(shop.shop_name, credentials)
        except ShopifyError as exc:
            finished.set_exception(exc)
            return web.Response(status=502, text=f"The token exchange failed: {exc}\n")
        finished.set_result(credentials)
        return web.Response(text=f"shopify-sync: {shop.shop_name} is installed. You can close this tab.\n")

    path = urlsplit(plan.redirect_uri).path if plan.redirect_uri else CALLBACK_PATH
    app = web.Application()
    app.router.add_get(path or "/", callback)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, plan.host, plan.port)
        await site.start()
        port = runner.addresses[0][1]
        redirect_uri = plan.redirect_uri or f"http://{plan.host}:{port}{CALLBACK_PATH}"
        report(authorize_url(shop, plan.scopes, redirect_uri, nonces.issue()))
        try:
            return await asyncio.wait_for(asyncio.shield(finished), plan.timeout_s)
        except TimeoutError:
            raise CredentialsError(
                f"no valid callback for shop {shop.shop_name!r} within {plan.timeout_s:g} s",
                shop=shop.shop_name,
            ) from None
    finally:
        await runner.cleanup()
