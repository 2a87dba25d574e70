"""``shopify-sync auth``: get tokens through OAuth, store them for the workers, and check them.

Tokens are stored encrypted, never printed: in Redis when ``SHOPIFY_SYNC_REDIS_URL`` is set, else in
the owner-only credentials file. See docs/authentication.md.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import aiohttp
import typer

from producers.commands.auth_keys import new_key, open_store, reencrypt
from producers.commands.common import EXIT_FAILED, app_settings, echo_json, fail, redis_state, shops_config
from settings import AppSettings, ShopConfig, ShopsConfig
from worker.contract.enqueue import enqueue_batch
from worker.contract.pauses import ShopPauses
from worker.credentials import CredentialStore, StoredCredentials, TokenEndpoint, TokenSources
from worker.credentials.endpoint import SessionSource
from worker.credentials.install import DEFAULT_CALLBACK_PORT, InstallPlan, run_install
from worker.credentials.scopes import SCOPES_BY_RESOURCE, scopes_for
from worker.credentials.status import ShopAuthStatus, check_shop, expiry_text
from worker.errors import ShopifyError

T = TypeVar("T")

app = typer.Typer(help="OAuth: get, store and check the access tokens of shops.", no_args_is_help=True)

ShopsOption = Annotated[Path | None, typer.Option("--shops", help="The shops file (default: settings).")]


@app.command("install")
def install(
    shop: Annotated[str, typer.Option(help="The shop, as named in the shops file.")],
    shops: ShopsOption = None,
    resource: Annotated[
        list[str] | None,
        typer.Option(
            help=f"Resource to ask scopes for (repeatable; default all: {', '.join(SCOPES_BY_RESOURCE)})."
        ),
    ] = None,
    non_expiring: Annotated[
        bool, typer.Option("--non-expiring", help="Ask for a token that never expires (no refresh token).")
    ] = False,
    host: Annotated[str, typer.Option(help="Interface of the local callback server.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the local callback server (0: any free port).")] = (
        DEFAULT_CALLBACK_PORT
    ),
    redirect_uri: Annotated[
        str | None,
        typer.Option(help="Redirect URL registered for the app, when not http://HOST:PORT/callback."),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the merchant's approval.")] = 300.0,
) -> None:
    """Install the app on a shop (authorization-code grant) and store its token for the workers."""
    settings = app_settings()
    config = _shop(shops_config(shops or settings.shops_file), shop)
    try:
        scopes = tuple(dict.fromkeys((*scopes_for(resource or SCOPES_BY_RESOURCE), *config.scopes)))
    except ValueError as exc:
        fail(str(exc))
    plan = InstallPlan(config, scopes, not non_expiring, host, port, redirect_uri, timeout)

    def report(line: str) -> None:
        if line.startswith("rejected"):
            typer.echo(line, err=True)
        else:
            typer.echo(f"Open this URL to approve the app on {config.shop_name}:\n{line}")

    with open_store(settings, writing=True) as store:
        credentials = _run(_install(plan, store, report))
        _stored(config, credentials, store)
    _resume_granted(settings, config.shop_name, credentials.scopes)


@app.command("client-credentials")
def client_credentials(
    shop: Annotated[str, typer.Option(help="The shop, as named in the shops file.")],
    shops: ShopsOption = None,
) -> None:
    """Get a token with the app's client id and secret (apps of your own organisation, on your own stores).

    The token lasts about 24 hours; workers renew it the same way before it expires.
    """
    settings = app_settings()
    config = _shop(shops_config(shops or settings.shops_file), shop)
    with open_store(settings, writing=True) as store:
        credentials = _run(_client_credentials(config, store))
        _stored(config, credentials, store)
    _resume_granted(settings, config.shop_name, credentials.scopes)


@app.command("status")
def status(
    shops: ShopsOption = None,
    shop: Annotated[str | None, typer.Option(help="Only this shop (default: every shop).")] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not ask Shopify which scopes are granted.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Per shop: token kind, expiry, scopes granted against the scopes each resource needs, what to do.

    Exits 1 when a shop has no token, or its token lacks a scope or could not be checked.
    """
    settings = app_settings()
    config = shops_config(shops or settings.shops_file)
    selected = [_shop(config, shop)] if shop else list(config)
    with open_store(settings) as store:
        statuses = _run(_statuses(selected, store, online=not offline))
    if as_json:
        echo_json({"shops": [s.to_dict() for s in statuses]})
    else:
        now = time.time()
        typer.echo("\n".join(line for s in statuses for line in s.render(now)))
    if any(s.kind == "none" or s.missing or s.problem for s in statuses):
        raise typer.Exit(EXIT_FAILED)


app.command("new-key")(new_key)
app.command("reencrypt")(reencrypt)


async def _install(
    plan: InstallPlan, store: CredentialStore, report: Callable[[str], None]
) -> StoredCredentials:
    async with aiohttp.ClientSession() as session:
        return await run_install(plan, endpoint=_endpoint(session), store=store, report=report)


async def _client_credentials(shop: ShopConfig, store: CredentialStore) -> StoredCredentials:
    async with aiohttp.ClientSession() as session:
        credentials = await _endpoint(session).client_credentials(shop)
    store.put(shop.shop_name, credentials)
    return credentials


async def _statuses(shops: list[ShopConfig], store: CredentialStore, *, online: bool) -> list[ShopAuthStatus]:
    async with aiohttp.ClientSession() as session:
        tokens = TokenSources(lambda: store, _session_source(session))
        return [
            await check_shop(
                s, store=lambda: store, tokens=tokens.for_shop(s), session=session if online else None
            )
            for s in shops
        ]


def _endpoint(session: aiohttp.ClientSession) -> TokenEndpoint:
    return TokenEndpoint(_session_source(session))


def _session_source(session: aiohttp.ClientSession) -> SessionSource:
    async def source() -> aiohttp.ClientSession:
        return session

    return source


def _run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except ShopifyError as exc:
        fail(str(exc), EXIT_FAILED)


def _shop(config: ShopsConfig, shop: str) -> ShopConfig:
    try:
        return config.get(shop)
    except KeyError as exc:
        fail(str(exc))


def _resume_granted(settings: AppSettings, shop: str, scopes: tuple[str, ...]) -> None:
    """New scopes may grant an access a resource was paused for: resume it (Redis mode; none embedded)."""
    if settings.embedded:
        return
    with redis_state(settings) as (client, keys):
        resumed = ShopPauses(client, keys).access.resume_granted(shop, scopes, enqueue_batch)
    for resource, records in resumed.items():
        typer.echo(f"{shop}: {resource} resumed (the new token has the access it lacked); "
                   f"{records} record(s) enqueued again")  # fmt: skip


def _stored(shop: ShopConfig, credentials: StoredCredentials, store: CredentialStore) -> None:
    expiry = expiry_text(credentials.expires_at, time.time())
    typer.echo(
        f"{shop.shop_name}: {credentials.kind} token stored in {store.location}; {expiry}; "
        f"scopes: {', '.join(credentials.scopes) or 'none'}"
    )
    if shop.access_token is not None:
        typer.echo(
            f"warning: the shops file still sets access_token for {shop.shop_name}: workers keep using that "
            "token until you remove it",
            err=True,
        )
