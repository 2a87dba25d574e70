"""The ``orderCreate`` limit of development and trial stores: five new orders per minute.

Shopify documents the limit on ``orderCreate`` ("you can create a maximum of five new orders
per minute" on trial and development stores). The answer over the limit is the one Shopify's
REST Admin API gives for the same limit (HTTP 429, ``Retry-After``, "Exceeded order API rate
limit, please try again in a minute. Upgrade to a paid account to remove this limit."); what
the GraphQL endpoint answers is unverified. Off unless ``ShopSpec.order_create_per_minute``.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, OperationDefinitionNode

if TYPE_CHECKING:
    from simulator.state import ShopState

WINDOW_S = 60.0
MESSAGE = (
    "Exceeded order API rate limit, please try again in a minute. "
    "Upgrade to a paid account to remove this limit."
)


class OrderCreateLimit:
    """A sliding one-minute window of ``orderCreate`` calls for one shop."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: deque[float] = deque()

    def admit(self, count: int, per_minute: int) -> float | None:
        """Record ``count`` calls if they fit and return ``None``; else the seconds until they would.

        ``per_minute`` 0 means no limit.
        """
        if per_minute <= 0 or count <= 0:
            return None
        now = self._clock()
        with self._lock:
            while self._calls and self._calls[0] <= now - WINDOW_S:
                self._calls.popleft()
            if len(self._calls) + count > per_minute:
                index = len(self._calls) + count - per_minute - 1
                if not 0 <= index < len(self._calls):
                    return WINDOW_S
                return max(0.1, self._calls[index] + WINDOW_S - now)
            self._calls.extend([now] * count)
            return None


def order_limit_outcome(
    shop: ShopState, operation: OperationDefinitionNode
) -> tuple[dict[str, Any], float] | None:
    """Return ``(body, retry_after_s)`` when the operation's ``orderCreate`` calls exceed the shop's limit."""
    if operation.operation.value != "mutation":
        return None
    count = sum(
        1
        for selection in operation.selection_set.selections
        if isinstance(selection, FieldNode) and selection.name.value == "orderCreate"
    )
    wait_s = shop.order_create_limit.admit(count, shop.spec.order_create_per_minute)
    if wait_s is None:
        return None
    return {"errors": MESSAGE}, math.ceil(wait_s * 10) / 10
