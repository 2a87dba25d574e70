"""What a worker process builds once and every task uses: Redis, the HTTP session, the stores.

Celery tasks are synchronous; each process keeps one asyncio loop and one ``aiohttp`` session and
runs the batch writer on them. In embedded mode the demo injects its own runtime (fakeredis, the
shops it configured) with ``install_runtime``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

import aiohttp
import redis

from settings import AppSettings, ShopConfig, ShopsConfig, UnknownShopError, load_app_settings, load_shops
from worker.batch import BatchOutcome, BatchWriter
from worker.client import ShopifyClient
from worker.contract.deadletters import DeadLetterStore
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.pauses import ShopPauses
from worker.contract.recorder import OutcomeRecorder
from worker.contract.tracking import SyncTracker
from worker.credentials import TokenSources, credential_store
from worker.gateway import ShopGateway
from worker.lookups import LookupCache
from worker.ratelimit import ShopLimiter
from worker.resources import get_resource
from worker.retry import RetryPolicy
from worker.transport import new_session

T = TypeVar("T")


class WorkerRuntime:
    """Per-process resources shared by every task."""

    def __init__(self, settings: AppSettings, client: redis.Redis, shops: ShopsConfig) -> None:
        self.settings = settings
        self.redis = client
        self.shops = shops
        self.keys = Keys(settings.key_prefix)
        self.tracker = SyncTracker(client, self.keys)
        self.dead_letters = DeadLetterStore(client, self.keys)
        self.pauses = ShopPauses(client, self.keys)
        self.limiter = ShopLimiter(client, self.keys)
        self.lookups = LookupCache(client, self.keys)
        self.policy = RetryPolicy(
            max_attempts=settings.max_attempts,
            base_backoff_s=settings.base_backoff_s,
            max_backoff_s=settings.max_backoff_s,
        )
        self.pid = os.getpid()
        self._loop = asyncio.new_event_loop()
        self._session: aiohttp.ClientSession | None = None
        self.tokens = TokenSources(lambda: credential_store(settings, client), self._http)
        self._gateways: dict[str, ShopGateway] = {}

    @classmethod
    def from_settings(cls, settings: AppSettings | None = None) -> WorkerRuntime:
        """Build from the environment: the configured Redis and shops file."""
        settings = settings or load_app_settings()
        if not settings.redis_url:
            raise RuntimeError("SHOPIFY_SYNC_REDIS_URL is not set: a separate worker process needs Redis")
        client = redis.Redis.from_url(settings.redis_url, health_check_interval=30)
        return cls(settings, client, load_shops(settings.shops_file))

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on this process's loop."""
        return self._loop.run_until_complete(coro)

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = new_session()
        return self._session

    async def write_batch(
        self,
        shop: str,
        sync_id: str,
        resource: str,
        records: list[RecordEnvelope],
        not_before: float | None = None,
    ) -> BatchOutcome:
        """Write one batch for one shop (``not_before``: already booked, see ``BatchWriter.write``)."""
        shop_config = self.shop(shop)
        writer = BatchWriter(
            gateway=await self._gateway(shop_config),
            resource=get_resource(resource),
            recorder=OutcomeRecorder(
                self.tracker,
                self.dead_letters,
                shop=shop_config.shop_name,
                sync_id=sync_id,
                resource=resource,
            ),
            pauses=self.pauses,
            policy=self.policy,
            sync_id=sync_id,
            lookups=self.lookups,
            max_inline_wait_s=self.settings.max_inline_wait_s,
            in_flight=self.settings.requests_in_flight_per_task,
            max_records_per_request=self.settings.max_records_per_request,
            time_budget_s=self.settings.broker_visibility_timeout_s / 4,
            probe_interval_s=self.settings.max_backoff_s * 2,
        )
        return await writer.write(records, not_before=not_before)

    async def gateway_for(self, shop: str) -> tuple[ShopGateway, aiohttp.ClientSession]:
        """The shop's gateway and the process's HTTP session (the bulk path uploads and downloads with it)."""
        return await self._gateway(self.shop(shop)), await self._http()

    def shop(self, shop: str) -> ShopConfig:
        """The shop's config; the shops file is read again once for a shop added since it was read.

        Raises:
            UnknownShopError: The shop is not in the shops file.
        """
        try:
            return self.shops.get(shop)
        except UnknownShopError:
            if self.settings.shops_file != self.shops.path:
                raise
            self.shops = load_shops(self.settings.shops_file)
            return self.shops.get(shop)

    async def _gateway(self, shop: ShopConfig) -> ShopGateway:
        """One gateway per shop and process, so costs learned from answers outlive a batch."""
        session = await self._http()
        gateway = self._gateways.get(shop.shop_name)
        if gateway is None or gateway.client.session is not session:
            client = ShopifyClient(
                session, shop, timeout_s=self.settings.request_timeout_s, tokens=self.tokens.for_shop(shop)
            )
            gateway = ShopGateway(client, self.limiter, max_wait_s=self.settings.max_inline_wait_s)
            self._gateways[shop.shop_name] = gateway
        return gateway

    def close(self) -> None:
        """Close the HTTP session and the loop."""
        if self._session is not None and not self._session.closed:
            self.run(self._session.close())
        self._loop.close()


_runtime: WorkerRuntime | None = None


def install_runtime(runtime: WorkerRuntime | None) -> None:
    """Use ``runtime`` for every task of this process (embedded mode, tests); None to reset."""
    global _runtime
    _runtime = runtime


def get_runtime() -> WorkerRuntime:
    """This process's runtime, built from the environment on first use.

    A runtime inherited through ``fork`` (Celery's prefork pool) is not reused: its Redis sockets and
    event loop belong to the parent.
    """
    global _runtime
    if _runtime is None or _runtime.pid != os.getpid():
        _runtime = WorkerRuntime.from_settings()
    return _runtime
