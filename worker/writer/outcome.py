"""What happened to a batch: counts of settled records, why records failed, and the records still to place."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from worker.contract.envelopes import RecordEnvelope


@dataclass(frozen=True)
class Deferred:
    """A record to enqueue again after ``delay_s`` seconds."""

    record: RecordEnvelope
    delay_s: float


@dataclass
class BatchOutcome:
    """What happened to a batch: counts of settled records, and the records still to place.

    Attributes:
        superseded: Records a later record of the sync replaces; a subset of ``dead_lettered`` (the
            recorder keeps them out of the dead letters).
        retries: Failed attempts that were retried (inline or deferred), one per record.
        reasons: Why records were dead-lettered, by short label (``worker.taskstate.reason_label``).
        causes: The error category behind each dead-lettered record (``user_error``, ``network_error``,
            ``validation``, ...).
        retry_causes: The error category of each retried attempt (``throttled``, ``server_error``, ...).
        held_causes: Why each held record's shop is paused (``invalid_token``, ``shop_unavailable``, ...).
    """

    synced: int = 0
    dead_lettered: int = 0
    superseded: int = 0
    skipped: int = 0
    retries: int = 0
    deferred: list[Deferred] = field(default_factory=list)
    held: list[RecordEnvelope] = field(default_factory=list)
    held_for_access: list[RecordEnvelope] = field(default_factory=list)
    resumed: bool = False
    access_resumed: list[str] = field(default_factory=list)
    not_before: float | None = None
    reasons: Counter[str] = field(default_factory=Counter)
    causes: Counter[str] = field(default_factory=Counter)
    retry_causes: Counter[str] = field(default_factory=Counter)
    held_causes: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, int]:
        """Counts by outcome."""
        return {
            "synced": self.synced,
            "dead_lettered": self.dead_lettered - self.superseded,
            "superseded": self.superseded,
            "already_synced": self.skipped,
            "deferred": len(self.deferred),
            "held": len(self.held) + len(self.held_for_access),
            "retries": self.retries,
        }
