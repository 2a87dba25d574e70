"""Paused shops: a shop that answered 401/402/423 (or 404) takes no more requests until it is resumed.

Its records are not dropped: every batch that meets a paused shop is held in Redis as it was, and
``resume`` hands the held batches back to be enqueued again. A denied access (``ACCESS_DENIED``, 403)
pauses only the resource that needs it: ``ShopPauses.access`` (``access_pauses.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import redis

from worker.contract.access_pauses import AccessPauses
from worker.contract.keys import Keys

# KEYS[1] pause flag, KEYS[2] held list; ARGV[1] the batch. Returns 1 when kept, 0 when not paused.
_HOLD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
"""


class ShopPauses:
    """Pause flags and held batches, per shop; ``access`` holds the pauses of one resource for an access."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys
        self._hold = client.register_script(_HOLD)
        self.access = AccessPauses(client, keys)

    def pause(self, shop: str, *, category: str, message: str) -> bool:
        """Pause ``shop``; the first reason is kept. True when it was not paused before."""
        reason = json.dumps({"category": category, "message": message, "since": time.time()})
        return bool(self._redis.set(self._keys.pause(shop), reason, nx=True))

    def reason(self, shop: str) -> dict[str, Any] | None:
        """Why the shop is paused, or None when it is not."""
        raw = self._redis.get(self._keys.pause(shop))
        return json.loads(raw) if raw else None

    def summary(self, shop: str, resource: str | None = None) -> str | None:
        """One line on what is paused for ``shop`` (and ``resource``, when given), or None.

        The whole shop's pause first, else access pauses (only ``resource``'s when given).
        """
        whole = self.reason(shop)
        if whole:
            return f"{whole['category']}: {whole['message']}"
        pauses = [p for p in self.access.all(shop) if resource is None or p.resource == resource]
        named = "; ".join(f"{p.resource} needs {p.required.describe()}" for p in pauses)
        return f"missing_access: {named}" if named else None

    def hold(self, shop: str, batch: dict[str, Any]) -> bool:
        """Keep a batch (task arguments, records included) until the shop is resumed.

        Returns:
            False when the shop is no longer paused (it was resumed meanwhile): nothing was kept, and
            the caller enqueues the batch again itself. Checked and kept in one step, so a batch can
            never land in the held list after ``resume`` has emptied it.
        """
        kept = self._hold(
            keys=[self._keys.pause(shop), self._keys.held(shop)], args=[json.dumps(batch, default=str)]
        )
        return bool(kept)

    def held(self, shop: str) -> list[dict[str, Any]]:
        """The batches held for ``shop``, oldest first."""
        return [json.loads(raw) for raw in self._redis.lrange(self._keys.held(shop), 0, -1)]

    def probe_due(self, shop: str, interval_s: float) -> bool:
        """True for exactly one caller per ``interval_s`` across every worker: its turn to probe the shop."""
        return bool(self._redis.set(self._keys.probe(shop), "1", nx=True, px=max(int(interval_s * 1000), 1)))

    def resume(self, shop: str, enqueue: Callable[[str, str, str, list[dict[str, Any]]], object]) -> int:
        """Unpause ``shop`` and hand its held batches to ``enqueue``; returns how many records went back.

        The flag goes first: once it is gone no worker adds to the held list (``hold`` checks it
        atomically), and a worker taking a re-enqueued batch will not hold it again. Batches are
        forgotten only after they were enqueued.
        """
        self.unpause(shop)
        held = self.held(shop)
        for batch in held:
            enqueue(batch["shop"], batch["sync_id"], batch["resource"], batch["records"])
        self.forget_held(shop, len(held))
        return sum(len(batch["records"]) for batch in held)

    def unpause(self, shop: str) -> None:
        """Let the shop take requests again (its held batches stay until ``forget_held``)."""
        self._redis.delete(self._keys.pause(shop))

    def forget_held(self, shop: str, count: int) -> None:
        """Drop the first ``count`` held batches, once they are safely enqueued again."""
        self._redis.ltrim(self._keys.held(shop), count, -1)
