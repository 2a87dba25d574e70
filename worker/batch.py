"""Writes one batch of records for one shop: validate, reserve points, send, and settle each record.

Every record leaves ``BatchWriter.write`` in exactly one of these ways: synced, dead-lettered,
deferred (to be re-enqueued after a delay) or held (its shop is paused). Failures of one record never
fail the others.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from worker.client import ShopifyClient
from worker.deadletters import Reason
from worker.errors import RetryableError, ShopifyError, ThrottledError, UserErrorsError
from worker.pauses import ShopPauses
from worker.ratelimit.limiter import ShopLimiter, WaitTooLongError
from worker.recorder import OutcomeRecorder
from worker.records import RecordEnvelope
from worker.resources import RecordInvalidError, Resource
from worker.retry import Action, RetryPolicy, decide


@dataclass(frozen=True)
class Deferred:
    """A record to enqueue again after ``delay_s`` seconds."""

    record: RecordEnvelope
    delay_s: float


@dataclass
class BatchOutcome:
    """What happened to a batch: counts of settled records, and the records still to place."""

    synced: int = 0
    dead_lettered: int = 0
    skipped: int = 0
    deferred: list[Deferred] = field(default_factory=list)
    held: list[RecordEnvelope] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """Counts, as a Celery task returns them."""
        return {
            "synced": self.synced,
            "dead_lettered": self.dead_lettered,
            "already_synced": self.skipped,
            "deferred": len(self.deferred),
            "held": len(self.held),
        }


@dataclass
class BatchWriter:
    """Writes records of one resource to one shop.

    Parameters:
        client: GraphQL client for the shop.
        resource: The kind of record.
        limiter: The shared bucket.
        recorder: Where outcomes go.
        pauses: Paused-shop flags.
        policy: Retry bounds.
        max_inline_wait_s: Longer waits defer the record instead of sleeping in the task.
        in_flight: Requests in flight at once for this batch.
        sleep: Injectable for tests.
        jitter: Injectable for tests.
    """

    client: ShopifyClient
    resource: Resource  # type: ignore[type-arg]
    limiter: ShopLimiter
    recorder: OutcomeRecorder
    pauses: ShopPauses
    policy: RetryPolicy
    max_inline_wait_s: float = 10.0
    in_flight: int = 4
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    jitter: Callable[[], float] = random.random

    def __post_init__(self) -> None:
        self._cost = self.resource.estimated_cost
        self._outcome = BatchOutcome()

    @property
    def shop(self) -> str:
        """The shop handle."""
        return self.client.shop

    async def write(self, records: list[RecordEnvelope]) -> BatchOutcome:
        """Settle every record of the batch."""
        self._outcome = BatchOutcome()
        gate = asyncio.Semaphore(max(self.in_flight, 1))

        async def one(record: RecordEnvelope) -> None:
            async with gate:
                await self._write_one(record)

        await asyncio.gather(*(one(r) for r in records))
        return self._outcome

    async def _write_one(self, record: RecordEnvelope) -> None:
        if self.recorder.already_synced(record):
            self._outcome.skipped += 1
            return
        try:
            model = self.resource.validate(record.payload)
        except RecordInvalidError as exc:
            path, _ = exc.problems[0]
            self._dead_letter(record, Reason(category="validation", field=path, message=str(exc)))
            return
        variables = self.resource.build_variables(model)
        while True:
            pause = self.pauses.reason(self.shop)
            if pause:
                self._hold(record, pause["category"])
                return
            try:
                reservation = await self.limiter.acquire(
                    self.shop, self._cost, sleep=self.sleep, max_wait_s=self.max_inline_wait_s
                )
            except WaitTooLongError as exc:
                self._outcome.deferred.append(Deferred(record, exc.wait_s))
                return
            try:
                result = await self.client.execute(self.resource.mutation, variables)
            except ShopifyError as err:
                throttle = err.throttle_status if isinstance(err, ThrottledError) else None
                self.limiter.reconcile(reservation, throttle)
                if not await self._after_failure(record, err):
                    return
                continue
            self.limiter.reconcile(reservation, result.throttle_status)
            if result.requested_cost:
                self._cost = float(result.requested_cost)
            try:
                gid = self.resource.parse_result(result.data)
            except ShopifyError as err:
                err.request_id = err.request_id or result.request_id
                if not await self._after_failure(record, err):
                    return
                continue
            self.recorder.synced(record, gid, result.request_id)
            self._outcome.synced += 1
            return

    async def _after_failure(self, record: RecordEnvelope, err: ShopifyError) -> bool:
        """Settle a failed attempt; True when the record should be tried again right away."""
        err.shop = self.shop
        if isinstance(err, ThrottledError):
            record.throttles += 1
        else:
            record.attempts += 1
        decision = decide(
            err,
            record.attempts,
            self.policy,
            throttles=record.throttles,
            requested_cost=self._cost,
            jitter=self.jitter,
        )
        if decision.action is Action.PAUSE_SHOP:
            self.pauses.pause(self.shop, category=err.category, message=str(err))
            self._hold(record, err.category)
            return False
        if decision.action is Action.DEAD_LETTER:
            self._dead_letter(record, _reason(err))
            return False
        self.recorder.retrying(record, err, decision.delay_s)
        if decision.delay_s > self.max_inline_wait_s:
            self._outcome.deferred.append(Deferred(record, decision.delay_s))
            return False
        await self.sleep(decision.delay_s)
        return True

    def _dead_letter(self, record: RecordEnvelope, reason: Reason) -> None:
        self.recorder.dead_letter(record, reason)
        self._outcome.dead_lettered += 1

    def _hold(self, record: RecordEnvelope, why: str) -> None:
        self.recorder.paused(record, why)
        self._outcome.held.append(record)


def _reason(err: ShopifyError) -> Reason:
    """The dead-letter reason for a failure the policy gave up on."""
    if isinstance(err, UserErrorsError) and err.user_errors:
        first = err.user_errors[0]
        return Reason(
            category="user_error",
            field=".".join(first.field) or None,
            message="; ".join(f"{'.'.join(e.field) or '(record)'}: {e.message}" for e in err.user_errors),
            code=first.code,
        )
    category = "retries_exhausted" if isinstance(err, RetryableError) else err.category
    return Reason(category=category, message=str(err), code=err.code)
