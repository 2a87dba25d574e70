"""The retry policy: which failures are retried, after how long, and what happens to the shop.

Pure functions only, so the whole policy can be read (and tested) as tables. The same rules are
written out for operators in docs/retry-policy.md.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from worker.contract.taskview import shown_text
from worker.errors import (
    AuthError,
    PermanentError,
    RetryableError,
    ShopifyError,
    ShopUnavailableError,
    ThrottledError,
)

# Retries of a batch whose task crashed on an unexpected exception (a bug, not a Shopify answer).
UNEXPECTED_RETRIES = 3


class Action(Enum):
    """What to do with a record after a failed attempt."""

    RETRY = "retry"
    DEAD_LETTER = "dead_letter"
    PAUSE_SHOP = "pause_shop"


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the retry policy.

    Attributes:
        max_attempts: Attempts per record, the first one included, before it is dead-lettered.
        base_backoff_s: First backoff after a 5xx or network error, in seconds.
        max_backoff_s: Upper bound of any backoff, in seconds.
        max_throttles: Throttled answers one record may get before it is dead-lettered. Throttles do not
            use up ``max_attempts`` (waiting for the bucket is normal), but a shop that never lets a
            record through must not hold it forever.
    """

    max_attempts: int = 8
    base_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    max_throttles: int = 100


@dataclass(frozen=True)
class Decision:
    """The outcome of ``decide``: an action and, for retries, the delay in seconds."""

    action: Action
    delay_s: float = 0.0


def backoff_s(attempt: int, policy: RetryPolicy, jitter: Callable[[], float] = random.random) -> float:
    """Exponential backoff with full jitter for the given 1-based attempt number.

    Full jitter (a uniform draw between 0 and the exponential cap) spreads out workers that failed
    together, so they do not all come back at the same instant.
    """
    cap = min(policy.max_backoff_s, policy.base_backoff_s * 2.0 ** max(attempt - 1, 0))
    return max(policy.base_backoff_s / 2, cap * jitter())


def throttle_delay_s(err: ThrottledError, requested_cost: float, policy: RetryPolicy) -> float:
    """How long to wait after a throttle, from the server's own numbers.

    ``Retry-After`` wins when present; otherwise the shortfall in the bucket divided by its restore
    rate (the time until the bucket holds enough points for this request); one second as a last resort.
    """
    if err.retry_after_s is not None:
        return min(err.retry_after_s, policy.max_backoff_s)
    status: Mapping[str, Any] = err.throttle_status or {}
    try:
        available = float(status["currentlyAvailable"])
        rate = float(status["restoreRate"])
    except (KeyError, TypeError, ValueError):
        return 1.0
    if rate <= 0:
        return policy.max_backoff_s
    return min(max(requested_cost - available, 0.0) / rate + 0.05, policy.max_backoff_s)


def decide(
    err: ShopifyError,
    attempt: int,
    policy: RetryPolicy,
    *,
    throttles: int = 0,
    requested_cost: float = 10.0,
    jitter: Callable[[], float] = random.random,
) -> Decision:
    """Decide what follows a failed attempt.

    Args:
        err: The classified failure.
        attempt: The 1-based number of the attempt that just failed (throttled attempts not counted).
        throttles: How many throttled answers this record has had, the current one included.
        policy: The bounds.
        requested_cost: The cost of the request, to size a throttle wait.
        jitter: Source of randomness in [0, 1), injectable for tests.
    """
    if isinstance(err, AuthError | ShopUnavailableError):
        return Decision(Action.PAUSE_SHOP)
    if isinstance(err, PermanentError):
        return Decision(Action.DEAD_LETTER)
    if isinstance(err, ThrottledError):
        if throttles >= policy.max_throttles:
            return Decision(Action.DEAD_LETTER)
        return Decision(Action.RETRY, throttle_delay_s(err, err.requested_cost or requested_cost, policy))
    if isinstance(err, RetryableError) and attempt < policy.max_attempts:
        return Decision(Action.RETRY, backoff_s(attempt, policy, jitter))
    return Decision(Action.DEAD_LETTER)


class BatchCrashedError(Exception):
    """A task crashed on something that is not a Shopify answer (a bug): the short form monitors see.

    The original exception goes to the logs and Sentry (scrubbed); this one, shown by Flower, carries
    only its type and a masked message (``taskview.shown_text``), and no chain.
    """

    @classmethod
    def of(cls, exc: Exception) -> BatchCrashedError:
        """The short form of ``exc``: its type and its masked message."""
        return cls(f"{type(exc).__name__}: {shown_text(str(exc))}")


def crash_backoff_s(retries: int) -> float | None:
    """Countdown before a crashed batch task runs again, after ``retries`` earlier retries of it.

    1, 2, then 4 seconds; None once the task has had its ``UNEXPECTED_RETRIES`` (its unsettled records
    are then dead-lettered as ``internal_error``).
    """
    return float(2**retries) if retries < UNEXPECTED_RETRIES else None
