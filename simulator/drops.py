"""Lost answers: run a mutation, commit it, then close the connection instead of answering.

This is the failure that makes a non-idempotent mutation (``orderCreate``) dangerous: the
client sees a connection error although Shopify created the order. Two triggers:

- by rate: ``FaultConfig.drop_after_commit_rate`` (rolled with the other faults, before the
  request runs; it only takes effect when the request ran a mutation);
- targeted: :meth:`AnswerDrops.arm` ("drop the answers of the next N requests that run
  ``orderCreate``"), used by tests through ``SimulatorState.drop_answers`` or
  ``POST /_simulator/drops``.

A request "runs" a mutation when its resolver executed, user errors included; throttled,
invalid or fault-injected requests never run anything, so they never consume a drop.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any


class AnswerDrops:
    """Pending targeted drops by mutation name, and how many answers were dropped. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[str] = Counter()
        self._dropped: Counter[str] = Counter()

    def arm(self, operation: str, count: int = 1) -> None:
        """Drop the answers of the next ``count`` requests that run the mutation ``operation``.

        Raises:
            ValueError: If ``operation`` is empty or ``count`` is negative.

        """
        if not operation or count < 0:
            raise ValueError("operation must be a mutation name and count must not be negative")
        with self._lock:
            self._pending[operation] += count

    def clear(self) -> None:
        """Forget every pending targeted drop."""
        with self._lock:
            self._pending.clear()

    def take(self, executed: Iterable[str]) -> bool:
        """Consume one pending drop for the first executed mutation that has one."""
        with self._lock:
            for operation in executed:
                if self._pending[operation] > 0:
                    self._pending[operation] -= 1
                    return True
        return False

    def record(self, executed: Iterable[str]) -> None:
        """Count one dropped answer for each mutation the request ran."""
        with self._lock:
            self._dropped.update(executed)

    def snapshot(self) -> dict[str, Any]:
        """Return ``{"pending": {name: n}, "dropped": {name: n}}`` (JSON-ready)."""
        with self._lock:
            return {
                "pending": {name: n for name, n in sorted(self._pending.items()) if n > 0},
                "dropped": dict(sorted(self._dropped.items())),
            }


def should_drop(drops: AnswerDrops, by_rate: bool, executed: tuple[str, ...]) -> bool:
    """Decide whether to drop the answer of a request that ran the mutations ``executed``.

    Parameters:
        drops: The targeted drops; one is consumed when it matches.
        by_rate: The fault dice chose ``drop_after_commit`` for this request.
        executed: Names of the mutation fields the request ran (empty for queries).

    """
    if not executed:
        return False
    dropped = by_rate or drops.take(executed)
    if dropped:
        drops.record(executed)
    return dropped
