"""Writes one batch of records for one shop: validate, send unit by unit, and settle each record.

Every record leaves ``BatchWriter.write`` in exactly one of these ways: synced, dead-lettered,
deferred (to be re-enqueued after a delay) or held (its shop is paused). A failure of one record
never fails the others. The steps live in ``worker.writer``, one module each.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from worker.contract.envelopes import RecordEnvelope
from worker.contract.pauses import ShopPauses
from worker.contract.recorder import OutcomeRecorder
from worker.errors import ServerError
from worker.gateway import ShopGateway
from worker.lookups import LookupCache
from worker.resources import RecordInvalidError, Resource
from worker.retry import RetryPolicy
from worker.writer.admission import ADMISSION_SLACK_S, admit
from worker.writer.outcome import BatchOutcome, Deferred
from worker.writer.probe import PROBE
from worker.writer.settle import Settler
from worker.writer.unit import UnitWriter
from worker.writer.units import Unit, build_units, unit_cost

__all__ = ["ADMISSION_SLACK_S", "PROBE", "BatchOutcome", "BatchWriter", "Deferred"]

log = logging.getLogger(__name__)


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
        settler = Settler(
            self.shop,
            self.recorder,
            self.pauses,
            self.policy,
            self.max_inline_wait_s,
            self.sleep,
            self.jitter,
        )
        valid = self._valid(records, settler)
        units = build_units(
            valid, self.resource, self.gateway, max_records_per_request=self.max_records_per_request
        )
        if units and not_before is None:
            postponed = admit(self.gateway, sum(unit_cost(u, self.resource, self.gateway) for u in units))
            if postponed is not None:
                settler.defer(valid, postponed.wait_s)
                settler.outcome.not_before = postponed.not_before
                return settler.outcome
        writer = UnitWriter(
            self.gateway,
            self.resource,
            settler,
            self.pauses,
            self.sync_id,
            self.lookups,
            self.probe_interval_s,
            deadline=time.monotonic() + self.time_budget_s,
        )
        gate = asyncio.Semaphore(max(self.in_flight, 1))

        async def one(unit: Unit) -> None:
            async with gate:
                try:
                    await writer.write(unit)
                except Exception as exc:  # not a Shopify answer: a bug, or Redis went away mid-unit
                    log.exception(
                        "unit failed unexpectedly", extra={"shop": self.shop, "sync_id": self.sync_id}
                    )
                    await settler.after_failure(
                        unit, ServerError(f"unexpected {type(exc).__name__}: {exc}"), inline=False
                    )

        # A TaskGroup, unlike gather, never leaves sibling units running when one of them raises.
        async with asyncio.TaskGroup() as group:
            for unit in units:
                group.create_task(one(unit))
        return settler.outcome

    def _valid(self, records: list[RecordEnvelope], settler: Settler) -> Unit:
        """The records still to write, validated; synced ones are skipped, invalid ones dead-lettered."""
        valid: Unit = []
        done = self.recorder.synced_among(records)
        for record in records:
            if record.key in done:
                settler.outcome.skipped += 1
                continue
            try:
                valid.append((record, self.resource.validate(record.payload)))
            except RecordInvalidError as exc:
                settler.dead_letter(record, exc.reason())
        return valid
