"""Token providers: where ``ShopifyClient`` gets the access token of a shop, and what it does after a 401.

- ``StaticTokenProvider``: the shops file's ``access_token`` (custom apps). Nothing can renew it, so a
  401 pauses the shop, exactly as before stored credentials existed.
- ``StoredTokenProvider``: credentials from ``shopify-sync auth`` in Redis or a file. It renews an
  expiring or client-credentials token shortly before it expires, and once after a 401. A shop with an
  ``api_key`` and ``api_secret`` and nothing stored yet gets its first token from the client-credentials
  grant (the apps most new stores have since 2026), so no one has to run ``auth client-credentials``.

Renewal runs under two locks: an ``asyncio.Lock`` per shop (one coroutine of this process asks) and
the store's per-shop lock (one process of the fleet asks). After taking them it reads the store again,
and calls the token endpoint only if nobody renewed the token meanwhile: refresh tokens rotate, so a
second refresh with the same token would fail.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, overload

from settings.shops import ShopConfig
from worker.credentials.endpoint import TokenEndpoint
from worker.credentials.errors import CredentialsError, RefreshBusyError
from worker.credentials.model import StoredCredentials
from worker.credentials.store import CredentialStore, RefreshLock

log = logging.getLogger(__name__)


class TokenProvider(Protocol):
    """What ``ShopifyClient`` asks for a token."""

    async def token(self, shop: ShopConfig) -> str:
        """The access token to send now.

        Raises:
            ShopifyError: ``CredentialsError`` when there is none; a ``RetryableError`` when a needed
                renewal cannot run yet.
        """

    async def on_unauthorized(self, shop: ShopConfig, token: str) -> bool:
        """React to a 401 answered to ``token``.

        Returns:
            True when a fresh token is ready and the request should be sent once more; False when the
            401 stands (the shop is paused).
        """


class StaticTokenProvider:
    """The ``access_token`` of the shops file."""

    async def token(self, shop: ShopConfig) -> str:
        """See ``TokenProvider.token``."""
        if shop.access_token is None:
            raise CredentialsError(f"shop {shop.shop_name!r} has no access_token", shop=shop.shop_name)
        return shop.access_token.get_secret_value()

    async def on_unauthorized(self, shop: ShopConfig, token: str) -> bool:
        """A static token cannot be renewed: the 401 stands."""
        return False


class StoredTokenProvider:
    """Stored credentials, renewed through the token endpoint; one instance per worker process.

    Parameters:
        store: Where the credentials are.
        endpoint: The token endpoint client.
        clock: Unix time in seconds (expiry times are shared between machines).
        sleep: Injectable for tests.
        lock_ttl_s: How long a refresh lock lives if its holder dies; longer than a token request.
        lock_wait_s: How long to wait for another worker's refresh before giving up (retryable).
        poll_s: Interval between attempts to take the lock.
    """

    def __init__(
        self,
        store: CredentialStore,
        endpoint: TokenEndpoint,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        lock_ttl_s: float = 30.0,
        lock_wait_s: float = 30.0,
        poll_s: float = 0.05,
    ) -> None:
        self._store = store
        self._endpoint = endpoint
        self._clock = clock
        self._sleep = sleep
        self._lock_ttl_s = lock_ttl_s
        self._max_polls = max(int(lock_wait_s / poll_s), 1)
        self._poll_s = poll_s
        self._local: dict[str, asyncio.Lock] = {}

    async def token(self, shop: ShopConfig) -> str:
        """See ``TokenProvider.token``: renews first when the token is close to expiry."""
        stored = self._read(shop, missing_ok=_client_credentials_app(shop))
        if stored is None:
            stored = await self._renew(shop, seen="", forced=True)
        elif stored.refresh_due(self._clock()):
            stored = await self._renew(shop, seen=stored.access_token, forced=False)
        return stored.access_token

    async def on_unauthorized(self, shop: ShopConfig, token: str) -> bool:
        """See ``TokenProvider.on_unauthorized``."""
        stored = self._read(shop)
        if stored.access_token != token:
            return True  # renewed by another request or worker since this one was sent
        if not stored.renewable:
            return False
        await self._renew(shop, seen=token, forced=True)
        return True

    async def _renew(self, shop: ShopConfig, *, seen: str, forced: bool) -> StoredCredentials:
        name = shop.shop_name
        first_ok = _client_credentials_app(shop)
        async with self._local.setdefault(name, asyncio.Lock()):
            stored = self._read(shop, missing_ok=first_ok)
            if stored is not None and not self._still_needed(stored, seen, forced):
                return stored
            lock = await self._acquire(name)
            try:
                stored = self._read(shop, missing_ok=first_ok)
                if stored is not None and not self._still_needed(stored, seen, forced):
                    return stored
                fresh = await self._grant(shop, stored)
                self._store.put(name, fresh)
            finally:
                lock.release()
            log.info("renewed the access token of shop %s (%s)", name, fresh.kind)
            return fresh

    def _still_needed(self, stored: StoredCredentials, seen: str, forced: bool) -> bool:
        if stored.access_token != seen:
            return False
        return forced or stored.refresh_due(self._clock())

    async def _acquire(self, shop: str) -> RefreshLock:
        for _ in range(self._max_polls):
            lock = self._store.try_lock(shop, self._lock_ttl_s)
            if lock is not None:
                return lock
            await self._sleep(self._poll_s)
        raise RefreshBusyError("another worker is still renewing this shop's token", shop=shop)

    async def _grant(self, shop: ShopConfig, stored: StoredCredentials | None) -> StoredCredentials:
        if stored is None or stored.kind == "client_credentials":
            return await self._endpoint.client_credentials(shop)
        expired = (
            stored.refresh_token_expires_at is not None and self._clock() >= stored.refresh_token_expires_at
        )
        if stored.refresh_token is None or expired:
            raise CredentialsError(
                f"the refresh token of shop {shop.shop_name!r} has expired: "
                f"run `shopify-sync auth install --shop {shop.shop_name}`",
                shop=shop.shop_name,
            )
        return await self._endpoint.refresh(shop, stored.refresh_token)

    @overload
    def _read(self, shop: ShopConfig) -> StoredCredentials: ...
    @overload
    def _read(self, shop: ShopConfig, *, missing_ok: bool) -> StoredCredentials | None: ...
    def _read(self, shop: ShopConfig, *, missing_ok: bool = False) -> StoredCredentials | None:
        name = shop.shop_name
        try:
            stored = self._store.get(name)
        except ValueError as exc:
            raise CredentialsError(f"stored credentials of shop {name!r}: {exc}", shop=name) from None
        if stored is None and not missing_ok:
            raise CredentialsError(
                f"no credentials stored for shop {name!r} in {self._store.location}: run "
                f"`shopify-sync auth install --shop {name}` or "
                f"`shopify-sync auth client-credentials --shop {name}`",
                shop=name,
            )
        return stored


def _client_credentials_app(shop: ShopConfig) -> bool:
    """Whether the shop's app can get a token on its own: a client id and secret and no static token."""
    return bool(shop.api_key) and shop.api_secret is not None and shop.access_token is None
