"""Writes one batch of records for one shop: validate, send unit by unit, and settle each record.

Every record leaves ``BatchWriter.write`` in exactly one of these ways: synced, dead-lettered,
deferred (to be re-enqueued after a delay) or held (its shop is paused). A failure of one record
never fails the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from worker.deadletters import Reason
from worker.errors import RetryableError, ServerError, ShopifyError, ThrottledError, UserErrorsError
from worker.gateway import ShopGateway, request_log
from worker.lookups import LookupCache
from worker.pauses import ShopPauses
from worker.ratelimit.limiter import WaitTooLongError
from worker.recorder import OutcomeRecorder, validation_reason
from worker.records import RecordEnvelope
from worker.resources import RecordInvalidError, Resource, ShopifyInput, WriteContext
from worker.retry import Action, RetryPolicy, decide

log = logging.getLogger(__name__)

Unit = list[tuple[RecordEnvelope, ShopifyInput]]

PROBE = "query Probe { shop { name } }"
# A batch whose booked turn is at most this far away starts now and waits in the limiter; a later one
# goes back to the broker until its turn, leaving the worker slot to other shops.
ADMISSION_SLACK_S = 0.5


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
    resumed: bool = False
    not_before: float | None = None

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
        gateway: Sends documents to the shop under its bucket.
        resource: The kind of record.
        recorder: Where outcomes go.
        pauses: Paused-shop flags.
        policy: Retry bounds.
        sync_id: The sync the records belong to (part of idempotency keys).
        lookups: Cached SKU and location lookups, for the resources that need them.
        max_inline_wait_s: Longer retry waits defer the record instead of sleeping in the task.
        in_flight: Units in flight at once for this batch.
        max_records_per_request: The most records a packable resource packs into one document.
        probe_interval_s: A paused shop is probed at most once per this many seconds, by one worker.
        time_budget_s: Units not finished when this much time has passed are deferred, so a task stays
            far below the broker's visibility timeout (after which Redis would hand it to another worker).
        sleep: Injectable for tests.
        jitter: Injectable for tests.
    """

    gateway: ShopGateway
    resource: Resource  # type: ignore[type-arg]
    recorder: OutcomeRecorder
    pauses: ShopPauses
    policy: RetryPolicy
    sync_id: str
    lookups: LookupCache | None = None
    max_inline_wait_s: float = 10.0
    in_flight: int = 4
    max_records_per_request: int = 25
    time_budget_s: float = 900.0
    probe_interval_s: float = 60.0
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    jitter: Callable[[], float] = random.random

    def __post_init__(self) -> None:
        self._outcome = BatchOutcome()
        self._deadline = 0.0

    @property
    def shop(self) -> str:
        """The shop handle."""
        return self.gateway.shop

    async def write(self, records: list[RecordEnvelope], *, not_before: float | None = None) -> BatchOutcome:
        """Settle every record of the batch.

        A batch is first booked in its shop's schedule (``ShopLimiter.book``); when its turn is more than
        ``ADMISSION_SLACK_S`` away, every record is deferred to that time, with ``not_before`` set so the
        next run does not book again (left unset when the shop's bucket was not known yet, and nothing
        was booked). ``not_before`` given: the batch was booked already.
        """
        self._outcome = BatchOutcome()
        valid: Unit = []
        done = self.recorder.synced_among(records)
        for record in records:
            if record.key in done:
                self._outcome.skipped += 1
                continue
            try:
                valid.append((record, self.resource.validate(record.payload)))
            except RecordInvalidError as exc:
                self._dead_letter(record, validation_reason(exc))
        units = self._units(valid)
        if units and not_before is None:
            booking = self.gateway.book(sum(self._estimate(unit) for unit in units))
            if booking.wait_s > ADMISSION_SLACK_S:
                self._outcome.deferred.extend(Deferred(r, booking.wait_s) for r, _ in valid)
                if booking.booked:
                    self._outcome.not_before = time.time() + booking.wait_s
                return self._outcome
        gate = asyncio.Semaphore(max(self.in_flight, 1))
        self._deadline = time.monotonic() + self.time_budget_s

        async def one(unit: Unit) -> None:
            async with gate:
                try:
                    await self._write_unit(unit)
                except Exception as exc:  # not a Shopify answer: a bug, or Redis went away mid-unit
                    log.exception(
                        "unit failed unexpectedly", extra={"shop": self.shop, "sync_id": self.sync_id}
                    )
                    await self._after_failure(
                        unit, ServerError(f"unexpected {type(exc).__name__}: {exc}"), inline=False
                    )

        # A TaskGroup, unlike gather, never leaves sibling units running when one of them raises.
        async with asyncio.TaskGroup() as group:
            for unit in units:
                group.create_task(one(unit))
        return self._outcome

    def _units(self, valid: Unit) -> list[Unit]:
        """Fixed chunks; or, for a packable resource, packs within the per-request cost and record limits."""
        if not self.resource.packable:
            size = max(self.resource.chunk_size, 1)
            return [valid[i : i + size] for i in range(0, len(valid), size)]
        budget = self.gateway.pack_budget()
        units: list[Unit] = []
        unit: Unit = []
        spent = 0.0
        for item in valid:
            if not self.resource.can_pack(item[1]):
                units.append([item])
                continue
            cost = self.resource.expected_cost(item[1], self.gateway.cost_of)
            if unit and (len(unit) >= self.max_records_per_request or spent + cost > budget):
                units.append(unit)
                unit, spent = [], 0.0
            unit.append(item)
            spent += cost
        if unit:
            units.append(unit)
        return units

    def _estimate(self, unit: Unit) -> float:
        return sum(self.resource.expected_cost(model, self.gateway.cost_of) for _, model in unit)

    async def _write_unit(self, unit: Unit) -> None:
        ctx = self._context(unit)
        while True:
            if time.monotonic() > self._deadline:
                self._outcome.deferred.extend(Deferred(r, 0.5) for r, _ in unit)
                return
            pause = self.pauses.reason(self.shop)
            if pause and not await self._probe_succeeds():
                self._hold(unit, pause["category"])
                return
            try:
                with request_log() as requests:
                    results = await self.resource.write([m for _, m in unit], self.gateway.send, ctx)
            except WaitTooLongError as exc:
                self._outcome.deferred.extend(Deferred(r, exc.wait_s) for r, _ in unit)
                return
            except ShopifyError as err:
                if len(unit) > 1 and self._split_on(err):
                    half = len(unit) // 2
                    await self._write_unit(unit[:half])
                    await self._write_unit(unit[half:])
                    return
                if not await self._after_failure(unit, err):
                    return
                continue
            written: list[tuple[RecordEnvelope, str]] = []
            for (record, _), result in zip(unit, results, strict=True):
                if isinstance(result, UserErrorsError):
                    self._dead_letter(record, _reason(result))
                else:
                    written.append((record, result))
            request_id = requests.request_ids[-1] if requests.request_ids else None
            self.recorder.synced(written, request_id, requests.cost / len(unit))
            self._outcome.synced += len(written)
            return

    def _split_on(self, err: ShopifyError) -> bool:
        """Whether a unit refused unrun is worth sending again as two halves.

        A unit that costs more than one request may (the bucket was smaller than assumed) is always
        split. A throttled pack is split too: when the server gives only ``Retry-After`` and no bucket
        figures, halves are how the pack size finds what the bucket can take.
        """
        if err.code == "MAX_COST_EXCEEDED":
            return True
        return self.resource.packable and type(err) is ThrottledError

    async def _probe_succeeds(self) -> bool:
        """A paused shop gets one cheap request per probe interval (across every worker), never a storm.

        When it succeeds (the merchant fixed the token, paid the bill), the shop is resumed and its held
        records are enqueued again; the caller goes on writing.
        """
        if not self.pauses.probe_due(self.shop, self.probe_interval_s):
            return False
        try:
            await self.gateway.send(PROBE, {})
        except ShopifyError as err:
            log.info("paused shop still refuses: %s", err, extra={"shop": self.shop})
            return False
        log.warning("paused shop answers again; resuming it", extra={"shop": self.shop})
        self.pauses.unpause(self.shop)
        self._outcome.resumed = True
        return True

    def _context(self, unit: Unit) -> WriteContext:
        keys = tuple(r.key for r, _ in unit)
        digest = hashlib.sha256(
            json.dumps(
                [self.shop, self.resource.name, self.sync_id, [r.payload for r, _ in unit]],
                sort_keys=True,
                default=str,
            ).encode()
        ).hexdigest()[:32]
        return WriteContext(
            shop=self.shop,
            sync_id=self.sync_id,
            record_keys=keys,
            idempotency_key=digest,
            lookups=self.lookups,
        )

    async def _after_failure(self, unit: Unit, err: ShopifyError, *, inline: bool = True) -> bool:
        """Settle a failed attempt of a unit; True when it should be tried again right away.

        With ``inline`` False a retry is always deferred to a new task, never slept through here.
        """
        err.shop = self.shop
        for record, _ in unit:
            if isinstance(err, ThrottledError):
                record.throttles += 1
            else:
                record.attempts += 1
        lead = unit[0][0]
        decision = decide(err, lead.attempts, self.policy, throttles=lead.throttles, jitter=self.jitter)
        if decision.action is Action.PAUSE_SHOP:
            self.pauses.pause(self.shop, category=err.category, message=str(err))
            self._hold(unit, err.category)
            return False
        if decision.action is Action.DEAD_LETTER:
            for record, _ in unit:
                self._dead_letter(record, _reason(err))
            return False
        for record, _ in unit:
            self.recorder.retrying(record, err, decision.delay_s)
        if not inline or decision.delay_s > self.max_inline_wait_s:
            self._outcome.deferred.extend(Deferred(r, decision.delay_s) for r, _ in unit)
            return False
        await self.sleep(decision.delay_s)
        return True

    def _dead_letter(self, record: RecordEnvelope, reason: Reason) -> None:
        self.recorder.dead_letter(record, reason)
        self._outcome.dead_lettered += 1

    def _hold(self, unit: Unit, why: str) -> None:
        for record, _ in unit:
            self.recorder.paused(record, why)
            self._outcome.held.append(record)


def _reason(err: ShopifyError) -> Reason:
    """The dead-letter reason for a failure that will not be retried."""
    if isinstance(err, UserErrorsError) and err.user_errors:
        first = err.user_errors[0]
        return Reason(
            category="user_error",
            field=".".join(first.field) or None,
            message="; ".join(f"{'.'.join(e.field) or '(record)'}: {e.message}" for e in err.user_errors),
            code=first.code,
            gid=getattr(err, "gid", None) or None,  # issue 12: a follow-up failed after the main write
            step=getattr(err, "step", None) or None,
        )
    category = "retries_exhausted" if isinstance(err, RetryableError) else err.category
    return Reason(category=category, message=str(err), code=err.code)
