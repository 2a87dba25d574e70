"""One shop's way out: a request reserves its cost in the shared bucket, then reconciles with the answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from worker.api_versions import note_served
from worker.client import GraphQLResult, ShopifyClient
from worker.cost_estimate import cost_key, estimate
from worker.errors import ShopifyError, ThrottledError
from worker.packing import MAX_QUERY_COST
from worker.ratelimit.limiter import Booking, ShopLimiter


@dataclass
class RequestLog:
    """The requests one unit of work made: Shopify's request ids and the points they actually cost."""

    request_ids: list[str] = field(default_factory=list)
    cost: float = 0.0


_current_log: ContextVar[RequestLog | None] = ContextVar("shopify_request_log", default=None)


@contextmanager
def request_log() -> Iterator[RequestLog]:
    """Collect the requests sent inside this block (per asyncio task), for the outcome's log line."""
    log = RequestLog()
    token = _current_log.set(log)
    try:
        yield log
    finally:
        _current_log.reset(token)


class ShopGateway:
    """Sends documents to one shop under its leaky bucket.

    Each document's cost is learned from the server's ``requestedQueryCost`` and reserved before the
    next send of that document with the same page sizes (``first: $n``); until then it is estimated
    from the document and its variables (``worker.cost_estimate``).

    Parameters:
        client: The shop's GraphQL client.
        limiter: The shared bucket.
        max_wait_s: Longer bucket waits raise ``WaitTooLongError`` instead of sleeping.
        sleep: Injectable for tests.
    """

    def __init__(
        self,
        client: ShopifyClient,
        limiter: ShopLimiter,
        *,
        max_wait_s: float,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self._limiter = limiter
        self._max_wait_s = max_wait_s
        self._sleep = sleep
        self._costs: dict[tuple[str, tuple[Any, ...]], float] = {}

    @property
    def shop(self) -> str:
        """The shop handle."""
        return self.client.shop

    def cost_of(self, document: str, variables: Mapping[str, Any] | None = None) -> float:
        """The points a send of ``document`` with ``variables`` reserves."""
        learned = self._costs.get(cost_key(document, variables))
        return learned if learned is not None else estimate(document, variables)

    def book(self, cost: float) -> Booking:
        """Book a batch's points in the shop's schedule."""
        return self._limiter.book(self.shop, cost)

    def pack_budget(self) -> float:
        """The most points one document may request.

        Shopify's cap for a single query, and an eighth of the shop's bucket, so that several packed
        requests fit in flight at once and a throttled one wastes little.
        """
        return min(MAX_QUERY_COST, self._limiter.capacity(self.shop) / 8)

    async def send(
        self, document: str, variables: Mapping[str, Any], *, cost: float | None = None
    ) -> GraphQLResult:
        """Reserve, send, reconcile.

        Raises:
            WaitTooLongError: The bucket needs longer than ``max_wait_s`` to hold the cost.
            ShopifyError: The classified failure of the request.
        """
        learned = cost is None
        cost = self.cost_of(document, variables) if cost is None else cost
        reservation = await self._limiter.acquire(
            self.shop, cost, sleep=self._sleep, max_wait_s=self._max_wait_s
        )
        try:
            result = await self.client.execute(document, variables)
        except ShopifyError as err:
            throttle = None
            if isinstance(err, ThrottledError):
                throttle, err.requested_cost = err.throttle_status, cost
            self._limiter.reconcile(reservation, throttle, 0.0 if throttle else None)
            raise
        self._limiter.reconcile(reservation, result.throttle_status, result.actual_cost)
        configured = getattr(self.client, "api_version", None)
        if isinstance(configured, str):
            note_served(self.shop, configured, result.api_version)
        log = _current_log.get()
        if log is not None:
            if result.request_id:
                log.request_ids.append(result.request_id)
            log.cost += float(result.actual_cost or 0)
        if result.requested_cost and learned:
            self._costs[cost_key(document, variables)] = float(result.requested_cost)
        return result
