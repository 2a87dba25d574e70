"""Where a unit's records end, and what follows a failed attempt of a unit (the retry settlement)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from worker.contract.access_pauses import AccessPause
from worker.contract.deadletters import Reason
from worker.contract.envelopes import RecordEnvelope
from worker.contract.pauses import ShopPauses
from worker.contract.recorder import SUPERSEDED, OutcomeRecorder
from worker.contract.taskview import reason_label
from worker.errors import (
    FollowUpFailedError,
    MissingScopeError,
    RetryableError,
    ShopifyError,
    ThrottledError,
    UserErrorsError,
)
from worker.retry import Action, RetryPolicy, decide
from worker.writer.outcome import BatchOutcome, Deferred
from worker.writer.units import Unit

log = logging.getLogger(__name__)


@dataclass
class Settler:
    """Settles records of one batch: in the recorder (Redis) and in the batch's ``outcome``.

    Parameters:
        shop: The shop handle.
        recorder: Where outcomes go.
        pauses: Paused-shop flags.
        policy: Retry bounds.
        max_inline_wait_s: Longer retry waits defer the unit instead of sleeping in the task.
        sleep: Injectable for tests.
        jitter: Injectable for tests.
        outcome: The batch's outcome, filled as records settle.
    """

    shop: str
    recorder: OutcomeRecorder
    pauses: ShopPauses
    policy: RetryPolicy
    max_inline_wait_s: float
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    jitter: Callable[[], float] = random.random
    outcome: BatchOutcome = field(default_factory=BatchOutcome)

    def synced(self, written: list[tuple[RecordEnvelope, str]], request_id: str | None, cost: float) -> None:
        """Records Shopify wrote, with the gid of each."""
        self.recorder.synced(written, request_id, cost)
        self.outcome.synced += len(written)

    def dead_letter(self, record: RecordEnvelope, reason: Reason, cause: str | None = None) -> None:
        """A record that will not be tried again; ``cause``: the error category behind ``reason``."""
        self.recorder.dead_letter(record, reason)
        self.outcome.dead_lettered += 1
        if reason.code == SUPERSEDED:
            self.outcome.superseded += 1
            return
        self.outcome.reasons[reason_label(reason)] += 1
        self.outcome.causes[cause or reason.category] += 1

    def hold(self, unit: Unit, why: str) -> None:
        """Records of a paused shop, kept for ``shops resume``."""
        for record, _ in unit:
            self.recorder.paused(record, why)
            self.outcome.held.append(record)
            self.outcome.held_causes[why] += 1

    def hold_for_access(self, unit: Unit, pause: AccessPause) -> None:
        """Records of a resource paused for an access, kept until it is granted or ``shops resume``."""
        for record, _ in unit:
            self.recorder.paused(record, f"missing_access: {pause.required.describe()}")
            self.outcome.held_for_access.append(record)
            self.outcome.held_causes["missing_access"] += 1

    def defer(self, unit: Unit, delay_s: float) -> None:
        """Records to enqueue again after ``delay_s`` seconds."""
        self.outcome.deferred.extend(Deferred(record, delay_s) for record, _ in unit)

    async def after_failure(self, unit: Unit, err: ShopifyError, *, inline: bool = True) -> bool:
        """Settle a failed attempt of a unit; True when it should be tried again right away.

        With ``inline`` False a retry is always deferred to a new task, never slept through here. A
        denied access pauses the resource and answers True: the caller's next turn holds the unit.
        """
        err.shop = self.shop
        for record, _ in unit:
            if isinstance(err, ThrottledError):
                record.throttles += 1
            else:
                record.attempts += 1
        lead = unit[0][0]
        decision = decide(err, lead.attempts, self.policy, throttles=lead.throttles, jitter=self.jitter)
        if decision.action is Action.PAUSE_SHOP and isinstance(err, MissingScopeError):
            # Only this resource waits. True: the caller finds the pause, reads the token's scopes once
            # (what it lacked when refused) and holds the unit.
            resource = self.recorder.resource
            if self.pauses.access.pause(self.shop, resource, err.required, message=str(err)):
                needs = err.required.describe()
                log.warning("%s paused: Shopify denied an access it needs: %s", resource, needs,
                            extra={"shop": self.shop, "resource": resource})  # fmt: skip
            return True
        if decision.action is Action.PAUSE_SHOP:
            self.pauses.pause(self.shop, category=err.category, message=str(err))
            self.hold(unit, err.category)
            return False
        if decision.action is Action.DEAD_LETTER:
            for record, _ in unit:
                self.dead_letter(record, failure_reason(err), err.category)
            return False
        for record, _ in unit:
            self.recorder.retrying(record, err, decision.delay_s)
            self.outcome.retries += 1
            self.outcome.retry_causes[err.category] += 1
        if not inline or decision.delay_s > self.max_inline_wait_s:
            self.defer(unit, decision.delay_s)
            return False
        await self.sleep(decision.delay_s)
        return True


def failure_reason(err: ShopifyError) -> Reason:
    """The dead-letter reason for a failure that will not be retried."""
    if isinstance(err, UserErrorsError) and err.user_errors:
        first = err.user_errors[0]
        return Reason(
            category="user_error",
            field=".".join(first.field) or None,
            message="; ".join(f"{'.'.join(e.field) or '(record)'}: {e.message}" for e in err.user_errors),
            code=first.code,
            gid=err.gid or None if isinstance(err, FollowUpFailedError) else None,
            step=err.step or None if isinstance(err, FollowUpFailedError) else None,
        )
    category = "retries_exhausted" if isinstance(err, RetryableError) else err.category
    return Reason(category=category, message=str(err), code=err.code)
