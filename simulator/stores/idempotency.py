"""Idempotency keys of ``@idempotent`` mutations: replay the first answer, reject reuse with other input.

Shopify (shopify.dev "Implementing idempotency"): keys are kept for 24 hours; a request with
a known key and the same mutation variables does not run again; the same key with different
variables is ``IDEMPOTENCY_KEY_PARAMETER_MISMATCH`` ("The same idempotency key cannot be used
with different operation parameters."). The simulator remembers every answer that ran,
user errors included, and replays it unchanged.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

RETENTION_S = 24 * 3600.0
MISMATCH_MESSAGE = "The same idempotency key cannot be used with different operation parameters."


def fingerprint(arguments: Mapping[str, Any]) -> str:
    """Return a stable hash of a mutation's arguments (object keys sorted)."""
    canonical = json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Remembered:
    """The first answer given for a key."""

    fingerprint: str
    answer: Any
    expires_at: float


class IdempotencyBook:
    """Answers by (mutation, key), forgotten after ``RETENTION_S`` seconds of the injected clock."""

    def __init__(self, clock: Callable[[], float], retention_s: float = RETENTION_S) -> None:
        self._clock = clock
        self._retention_s = retention_s
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], Remembered] = {}

    def lookup(self, mutation: str, key: str, arguments: Mapping[str, Any]) -> tuple[bool, Any]:
        """Return ``(True, answer)``: replay; ``(True, MISMATCH)``: other input; ``(False, None)``: new."""
        now = self._clock()
        with self._lock:
            remembered = self._answers.get((mutation, key))
            if remembered is None or remembered.expires_at <= now:
                self._answers.pop((mutation, key), None)
                return False, None
            if remembered.fingerprint != fingerprint(arguments):
                return True, MISMATCH
            return True, remembered.answer

    def remember(self, mutation: str, key: str, arguments: Mapping[str, Any], answer: Any) -> None:
        """Keep ``answer`` as the answer to every retry with this key and these arguments."""
        with self._lock:
            self._answers[(mutation, key)] = Remembered(
                fingerprint(arguments), answer, self._clock() + self._retention_s
            )


class _Mismatch:
    """Marker returned by :meth:`IdempotencyBook.lookup` when a key is reused with other input."""

    def __repr__(self) -> str:
        return "MISMATCH"


MISMATCH = _Mismatch()
