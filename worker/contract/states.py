"""The states a record of a sync moves through, as producers and workers both name them."""

from __future__ import annotations

from enum import StrEnum


class RecordState(StrEnum):
    """Where one record of a sync stands.

    A record has no stored state until a worker reports on it (``PENDING``: queued or in flight).
    ``SYNCED`` is final; ``SUPERSEDED`` (a later record of the sync sets the same thing) is never written;
    ``DEAD_LETTERED`` and ``PAUSED`` are settled until an operator replays the dead letter or resumes the
    shop.
    """

    PENDING = "pending"
    RETRYING = "retrying"
    PAUSED = "paused"
    SYNCED = "synced"
    DEAD_LETTERED = "dead_lettered"
    SUPERSEDED = "superseded"


# Stored states: every state but PENDING, which is the absence of one.
STORED: tuple[RecordState, ...] = (
    RecordState.RETRYING,
    RecordState.PAUSED,
    RecordState.SYNCED,
    RecordState.DEAD_LETTERED,
    RecordState.SUPERSEDED,
)
# A producer waiting for its records stops waiting for one in any of these.
SETTLED = frozenset(
    {RecordState.SYNCED, RecordState.DEAD_LETTERED, RecordState.SUPERSEDED, RecordState.PAUSED}
)
# A record in none of these states is sent again when its task was lost.
UNSETTLED = frozenset({RecordState.PENDING, RecordState.RETRYING})
