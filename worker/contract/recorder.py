"""Where a record's outcome is written: sync tracking, dead letters, held batches."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from worker.contract.deadletters import DeadLetterStore, Reason
from worker.contract.envelopes import RecordEnvelope
from worker.contract.states import RecordState
from worker.contract.tracking import SyncTracker

log = logging.getLogger(__name__)

SUPERSEDED = "SUPERSEDED"
"""``Reason.code`` of a record that a later record of its sync replaces: it is no dead letter."""


class FailedAttempt(Protocol):
    """What the recorder needs of a failed attempt (a ``worker.errors.ShopifyError``)."""

    request_id: str | None

    @property
    def category(self) -> str:
        """The error's category (``throttled``, ``server_error``, ...)."""


class OutcomeRecorder:
    """Records the outcomes of one batch (one shop, one sync, one resource)."""

    def __init__(
        self,
        tracker: SyncTracker,
        dead_letters: DeadLetterStore,
        *,
        shop: str,
        sync_id: str,
        resource: str,
    ) -> None:
        self._tracker = tracker
        self._dead_letters = dead_letters
        self.shop = shop
        self.sync_id = sync_id
        self.resource = resource

    def already_synced(self, record: RecordEnvelope) -> bool:
        """True when an earlier delivery of this task synced the record already."""
        outcome = self._tracker.outcome(self.sync_id, record.key)
        return bool(outcome and outcome.get("state") == RecordState.SYNCED)

    def synced_among(self, records: list[RecordEnvelope]) -> set[str]:
        """The keys of the records an earlier delivery of this task synced already (one round trip)."""
        states = self._tracker.states(self.sync_id, [r.key for r in records])
        return {r.key for r, state in zip(records, states, strict=True) if state == RecordState.SYNCED}

    def synced(
        self,
        written: list[tuple[RecordEnvelope, str]],
        request_id: str | None,
        cost: float | None = None,
        *,
        path: str | None = None,
    ) -> None:
        """Each record is in Shopify as its gid; ``cost`` is each one's share of the request's actual cost.

        ``path`` labels records written another way than per request (``bulk``: ``request_id`` is then
        the bulk operation's id).
        """
        label = {"path": path} if path else {}
        marks: list[tuple[str, RecordState, dict[str, Any]]] = [
            (r.key, RecordState.SYNCED, {"gid": gid, "attempts": r.attempts + 1, **label})
            for r, gid in written
        ]
        self._tracker.mark_many(self.sync_id, marks)
        for record, gid in written:
            context = self._context(
                record, outcome=RecordState.SYNCED, gid=gid, request_id=request_id, cost=cost, **label
            )
            log.info("synced", extra=context)

    def dead_letter(self, record: RecordEnvelope, reason: Reason) -> None:
        """The record cannot be written as it is (unless an earlier delivery synced it already).

        A record a later one supersedes (``SUPERSEDED``) is no dead letter: replaying it would write
        stale data over the later record's. It is marked ``superseded`` instead.
        """
        if self.already_synced(record):
            return
        if reason.code == SUPERSEDED:
            self._tracker.mark(self.sync_id, record.key, RecordState.SUPERSEDED, reason=reason.model_dump())
            context = self._context(record, outcome=RecordState.SUPERSEDED)
            log.info("superseded: %s", reason.message, extra=context)
            return
        self._dead_letters.add(
            shop=self.shop,
            resource=self.resource,
            sync_id=self.sync_id,
            record_key=record.key,
            source=record.source,
            payload=record.payload,
            reason=reason,
            attempts=record.attempts,
        )
        self._tracker.mark(self.sync_id, record.key, RecordState.DEAD_LETTERED, reason=reason.model_dump())
        log.info(
            "dead-lettered: %s",
            reason.message,
            extra=self._context(
                record, outcome=RecordState.DEAD_LETTERED, category=reason.category, field=reason.field
            ),
        )

    def retrying(self, record: RecordEnvelope, err: FailedAttempt, delay_s: float) -> None:
        """The record failed an attempt and will be tried again after ``delay_s``."""
        self._tracker.count_retry(self.sync_id)
        self._tracker.mark(
            self.sync_id, record.key, RecordState.RETRYING, error=err.category, attempts=record.attempts
        )
        log.info(
            "retrying in %.2fs: %s",
            delay_s,
            err,
            extra=self._context(
                record, outcome=RecordState.RETRYING, category=err.category, request_id=err.request_id
            ),
        )

    def paused(self, record: RecordEnvelope, reason: str) -> None:
        """The shop is paused; the record is held until it is resumed."""
        self._tracker.mark(self.sync_id, record.key, RecordState.PAUSED, reason=reason)

    def _context(self, record: RecordEnvelope, **fields: object) -> dict[str, object]:
        return {
            "shop": self.shop,
            "sync_id": self.sync_id,
            "resource": self.resource,
            "record": record.key,
            **fields,
        }
