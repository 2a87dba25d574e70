"""The unit of work that travels in tasks: one mapped record and its retry history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordEnvelope:
    """One record as carried in a task's arguments (JSON).

    Attributes:
        key: The record's key within its sync: the source primary key, or its row number.
        payload: The mapped record, in Shopify's field names.
        source: The source row as read, kept for dead letters and replay.
        attempts: Failed attempts so far (throttles not counted).
        throttles: Throttled answers so far.
    """

    key: str
    payload: dict[str, Any]
    source: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    throttles: int = 0

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RecordEnvelope:
        """Read the task-argument form."""
        return cls(
            key=str(raw["key"]),
            payload=dict(raw.get("payload") or {}),
            source=dict(raw.get("source") or {}),
            attempts=int(raw.get("attempts", 0)),
            throttles=int(raw.get("throttles", 0)),
        )

    def to_dict(self) -> dict[str, Any]:
        """The task-argument form (shallow: ``asdict`` would deep-copy every payload for nothing)."""
        return {
            "key": self.key,
            "payload": self.payload,
            "source": self.source,
            "attempts": self.attempts,
            "throttles": self.throttles,
        }
