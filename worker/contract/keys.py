"""Every Redis key this project writes, in one place.

All keys start with the configured prefix (``SHOPIFY_SYNC_KEY_PREFIX``), so two deployments or two
test runs can share a Redis server without touching each other's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def text(value: Any) -> str:
    """A Redis reply (bytes, as this project's clients return them) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class Keys:
    """Key names under one prefix."""

    prefix: str = "shopify-sync"

    def bucket(self, shop: str) -> str:
        """Hash: the shop's leaky bucket (available, capacity, rate, ts)."""
        return f"{self.prefix}:bucket:{shop}"

    def inflight(self, shop: str) -> str:
        """Sorted set: reservations of requests in flight, scored by expiry time."""
        return f"{self.prefix}:inflight:{shop}"

    def pause(self, shop: str) -> str:
        """String (JSON): why the shop is paused; absent when it is not."""
        return f"{self.prefix}:pause:{shop}"

    def probe(self, shop: str) -> str:
        """String with a TTL: a paused shop was probed less than one probe interval ago."""
        return f"{self.prefix}:probe:{shop}"

    def held(self, shop: str) -> str:
        """List (JSON batches): records kept while the shop is paused."""
        return f"{self.prefix}:held:{shop}"

    def access_pauses(self, shop: str) -> str:
        """Hash: resource -> JSON access pause (the access Shopify denied, since when, scopes seen)."""
        return f"{self.prefix}:access-pause:{shop}"

    def access_probe(self, shop: str) -> str:
        """String with a TTL: the shop's granted scopes were read less than one probe interval ago."""
        return f"{self.prefix}:access-probe:{shop}"

    def held_for_access(self, shop: str, resource: str) -> str:
        """List (JSON batches): records of ``resource`` kept while it is paused for an access."""
        return f"{self.prefix}:held-access:{shop}:{resource}"

    def booked(self, shop: str) -> str:
        """Sorted set: ids of the shop's batch tasks a worker holds until their turn, scored by start time."""
        return f"{self.prefix}:booked:{shop}"

    def shop_stats(self, shop: str) -> str:
        """Hash: records synced, dead-lettered and retried for the shop since the counters began."""
        return f"{self.prefix}:stats:{shop}"

    def credentials(self, shop: str) -> str:
        """String (a Fernet token): the shop's sealed OAuth credentials (tokens, expiry, scopes)."""
        return f"{self.prefix}:credentials:{shop}"

    def credentials_lock(self, shop: str) -> str:
        """String: redis-py lock held by the one worker refreshing the shop's token."""
        return f"{self.prefix}:credentials-lock:{shop}"

    def sync_meta(self, sync_id: str) -> str:
        """Hash: sync id, shop, resource, started time."""
        return f"{self.prefix}:sync:{sync_id}:meta"

    def sync_counts(self, sync_id: str) -> str:
        """Hash: total and one counter per record state."""
        return f"{self.prefix}:sync:{sync_id}:counts"

    def sync_accepted(self, sync_id: str) -> str:
        """Set: keys of the records a long-lived sync (the HTTP producer's) has taken in, to drop repeats."""
        return f"{self.prefix}:sync:{sync_id}:accepted"

    def sync_records(self, sync_id: str) -> str:
        """Hash: record key -> JSON outcome (state, Shopify gid or reason)."""
        return f"{self.prefix}:sync:{sync_id}:records"

    @property
    def syncs(self) -> str:
        """Sorted set: sync ids by start time."""
        return f"{self.prefix}:syncs"

    @property
    def dead_letters(self) -> str:
        """Hash: dead-letter id -> JSON entry."""
        return f"{self.prefix}:dlq:entries"

    @property
    def dead_letter_index(self) -> str:
        """Sorted set: dead-letter ids by last time seen."""
        return f"{self.prefix}:dlq:index"

    def bulk_job(self, job_id: str) -> str:
        """Hash: one bulk operation's job (shop, sync, resource, state, staged path, operation id)."""
        return f"{self.prefix}:bulk:{job_id}:job"

    def bulk_lines(self, job_id: str) -> str:
        """Hash: input line number -> the record (``RecordEnvelope`` JSON) it was written from."""
        return f"{self.prefix}:bulk:{job_id}:lines"

    def bulk_parts(self, task_id: str) -> str:
        """List: the job ids a bulk task split its records into (a redelivered task finds them here)."""
        return f"{self.prefix}:bulk:{task_id}:parts"

    def bulk_lock(self, job_id: str) -> str:
        """String with a TTL: the one worker advancing a bulk job holds it."""
        return f"{self.prefix}:bulk:{job_id}:lock"

    def staged(self, shop: str, resource: str, sync_id: str) -> str:
        """List: records ``serve`` answered in ``queued`` mode, not yet enqueued (JSON envelopes)."""
        return f"{self.prefix}:staged:{shop}:{resource}:{sync_id}"

    def staged_lock(self, shop: str, resource: str, sync_id: str) -> str:
        """String with a TTL: the one ``serve`` process enqueueing that staged list now."""
        return f"{self.prefix}:staged:{shop}:{resource}:{sync_id}:lock"

    @property
    def staged_index(self) -> str:
        """Set: ``shop/resource/sync_id`` of every staged list that may hold records."""
        return f"{self.prefix}:staged:index"

    def lookup(self, shop: str, kind: str, name: str) -> str:
        """String: a cached lookup (a SKU's inventory item or variant, a location's id), with a TTL."""
        return f"{self.prefix}:lookup:{shop}:{kind}:{name}"
