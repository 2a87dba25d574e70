"""What happened to a batch: counts of settled records, and the records still to place."""

from __future__ import annotations

from dataclasses import dataclass, field

from worker.contract.envelopes import RecordEnvelope


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
    held_for_access: list[RecordEnvelope] = field(default_factory=list)
    resumed: bool = False
    access_resumed: list[str] = field(default_factory=list)
    not_before: float | None = None

    def summary(self) -> dict[str, int]:
        """Counts, as a Celery task returns them."""
        return {
            "synced": self.synced,
            "dead_lettered": self.dead_lettered,
            "already_synced": self.skipped,
            "deferred": len(self.deferred),
            "held": len(self.held) + len(self.held_for_access),
        }
