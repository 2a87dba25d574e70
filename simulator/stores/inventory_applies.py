"""How often each ``inventorySetQuantities`` was applied: a double apply must show, not just a final level.

Set quantities land on the same final level whether they were applied once or twice, so the level alone
cannot tell a retry that Shopify replayed (same ``@idempotent`` key: no second apply) from one applied
again. This book counts real applies (replays excluded) per idempotency key and the changes per level.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable


class InventoryApplies:
    """Applies per idempotency key and changes per (inventory item, location). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: Counter[str] = Counter()
        self._by_level: Counter[tuple[str, str]] = Counter()

    def record(self, key: str, levels: Iterable[tuple[str, str]]) -> None:
        """One apply under ``key`` that changed ``levels`` ((item id, location id) pairs)."""
        with self._lock:
            self._by_key[key] += 1
            self._by_level.update(set(levels))

    def by_key(self) -> dict[str, int]:
        """Idempotency key -> times applied."""
        with self._lock:
            return dict(self._by_key)

    def by_level(self) -> dict[tuple[str, str], int]:
        """(inventory item id, location id) -> applies that changed it."""
        with self._lock:
            return dict(self._by_level)
