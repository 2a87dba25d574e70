"""Where a sync's records take the bulk path: a threshold on the records waiting for the shop, or a switch.

Per-request writes are bounded by the shop's points bucket (about 10 products a second on a Standard
store); a bulk operation writes a whole file for a few dozen points. A submission goes the bulk way when
its sync asks for it (``bulk=True``), or, unless the sync forbids it (``bulk=False``), when the records
it brings plus those already queued for the shop reach ``threshold_records``. Once a sync went that
way, its later submissions follow. Orders never do (``orderCreate`` is not idempotent). See docs/bulk.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import redis

from producers.pipeline.intake import Target
from worker.contract.broker import queue_for
from worker.contract.outages import REDIS_DOWN

BULK_RESOURCES = frozenset({"products", "customers", "inventory"})


@dataclass
class BulkRouting:
    """The bulk path's switch and threshold.

    Parameters:
        threshold_records: Records waiting for one shop from which its sync goes bulk; 0: only on request.
        records_per_operation: Records per bulk task (one file, split further by the worker at 100 MiB).
        batch_size: Records per per-request task, to count the records queued for a shop.
    """

    threshold_records: int = 0
    records_per_operation: int = 10_000
    batch_size: int = 100
    _bulk_syncs: set[str] = field(default_factory=set)

    def choose(self, client: redis.Redis, target: Target, accepted: int, switch: bool | None) -> bool:
        """Whether these ``accepted`` records of ``target`` go through bulk operations."""
        if target.resource not in BULK_RESOURCES or switch is False or not accepted:
            return False
        if switch or target.sync_id in self._bulk_syncs:
            chosen = True
        else:
            chosen = bool(self.threshold_records) and (
                accepted + self.queued(client, target.shop) >= self.threshold_records
            )
        if chosen:
            self._bulk_syncs.add(target.sync_id)
        return chosen

    def queued(self, client: redis.Redis, shop: str) -> int:
        """Records waiting in the shop's queue (tasks times the batch size: an estimate)."""
        try:
            return int(client.llen(queue_for(shop))) * self.batch_size
        except REDIS_DOWN:
            return 0

    def forget(self, sync_id: str) -> None:
        """The sync is over: its next run decides afresh."""
        self._bulk_syncs.discard(sync_id)
