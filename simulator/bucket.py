"""Shopify's per app-and-store leaky bucket of GraphQL cost points."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


class LeakyBucket:
    """A bucket of cost points that refills continuously.

    Shopify reserves a query's *requested* cost before running it and refunds the
    difference to the *actual* cost afterwards; a query whose requested cost exceeds what is
    available is throttled without running. The bucket starts full.

    Args:
        capacity: Maximum points (``throttleStatus.maximumAvailable``).
        restore_rate: Points restored per second (``throttleStatus.restoreRate``).
        clock: Monotonic clock in seconds; inject a fake one in tests.

    """

    def __init__(self, capacity: float, restore_rate: float, clock: Callable[[], float]) -> None:
        if capacity <= 0 or restore_rate <= 0:
            raise ValueError("capacity and restore_rate must be positive")
        self.capacity = float(capacity)
        self.restore_rate = float(restore_rate)
        self._clock = clock
        self._available = self.capacity
        self._updated_at = clock()
        self.drawn = 0.0  # points charged so far (reserved minus refunded): what the benchmarks compare

    def available(self) -> float:
        """Return the points available now, after restoring for the time elapsed."""
        now = self._clock()
        if now > self._updated_at:  # not while a drain holds the bucket empty (``_updated_at`` ahead)
            elapsed = now - self._updated_at
            self._available = min(self.capacity, self._available + elapsed * self.restore_rate)
            self._updated_at = now
        return self._available

    def try_reserve(self, cost: float) -> bool:
        """Take ``cost`` points if that many are available; return whether it did."""
        if self.available() < cost:
            return False
        self._available -= cost
        self.drawn += cost
        return True

    def refund(self, points: float) -> None:
        """Give back ``points`` (requested minus actual cost), never above capacity."""
        self._available = min(self.capacity, self.available() + max(0.0, points))
        self.drawn -= max(0.0, points)

    def drain(self, hold_s: float = 0.0) -> None:
        """Empty the bucket and keep it empty for ``hold_s`` seconds, then let it refill at ``restore_rate``.

        As if another app on the store used every point meanwhile: requests are throttled until then.
        """
        self.available()
        self._available = 0.0
        self._updated_at = self._clock() + max(0.0, hold_s)

    def seconds_until(self, cost: float) -> float:
        """Return how long until ``cost`` points are available (0 when they are now)."""
        shortfall = cost - self.available()
        held_s = max(0.0, self._updated_at - self._clock())
        return held_s + max(0.0, shortfall / self.restore_rate)

    def status(self) -> dict[str, Any]:
        """Return Shopify's ``throttleStatus`` object for the current state.

        ``currentlyAvailable`` is an integer (rounded down) as in Shopify's answers, the other
        two are floats as observed (``2000.0``, ``100.0``).
        """
        return {
            "maximumAvailable": self.capacity,
            "currentlyAvailable": math.floor(self.available()),
            "restoreRate": self.restore_rate,
        }
