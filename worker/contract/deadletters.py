"""Dead letters: records that cannot be written as they are, kept with everything needed to replay them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import redis
from pydantic import BaseModel, Field

from worker.contract.keys import Keys, text


class Reason(BaseModel):
    """Why a record was dead-lettered.

    Attributes:
        category: ``validation``, ``user_error``, ``schema_error``, ``retries_exhausted``, ...
        field: Path of the offending field, when known (``addresses.0.zip``).
        message: What is wrong, in words.
        code: Shopify's error code, when it gave one.
        gid: What Shopify holds already when a follow-up mutation failed after the main write.
        step: That follow-up mutation (``metafieldsSet``, ``orderCancel``, ...).
        path: ``bulk`` when the record was written through a bulk operation (unset: per request).
    """

    category: str
    field: str | None = None
    message: str
    code: str | None = None
    gid: str | None = None
    step: str | None = None
    path: str | None = None


class DeadLetter(BaseModel):
    """One dead-lettered record."""

    id: str
    sync_id: str
    shop: str
    resource: str
    record_key: str
    source: dict[str, Any] = Field(default_factory=dict)
    payload: dict[str, Any] = Field(default_factory=dict)
    reason: Reason
    attempts: int = 0
    first_seen: float
    last_seen: float

    @staticmethod
    def make_id(shop: str, resource: str, sync_id: str, record_key: str) -> str:
        """Stable id, so a task delivered twice updates its entry instead of adding a second one."""
        return f"{shop}:{resource}:{sync_id}:{record_key}"


class DeadLetterStore:
    """Dead letters in Redis: a hash of entries and an index by time."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys

    def add(
        self,
        *,
        shop: str,
        resource: str,
        sync_id: str,
        record_key: str,
        source: dict[str, Any],
        payload: dict[str, Any],
        reason: Reason,
        attempts: int,
    ) -> DeadLetter:
        """Store (or refresh) the dead letter of one record; keeps its first-seen time."""
        entry_id = DeadLetter.make_id(shop, resource, sync_id, record_key)
        now = time.time()
        existing = self.get(entry_id)
        entry = DeadLetter(
            id=entry_id,
            sync_id=sync_id,
            shop=shop,
            resource=resource,
            record_key=record_key,
            source=source,
            payload=payload,
            reason=reason,
            attempts=attempts,
            first_seen=existing.first_seen if existing else now,
            last_seen=now,
        )
        pipe = self._redis.pipeline()
        pipe.hset(self._keys.dead_letters, entry_id, entry.model_dump_json())
        pipe.zadd(self._keys.dead_letter_index, {entry_id: now})
        pipe.execute()
        return entry

    def get(self, entry_id: str) -> DeadLetter | None:
        """One entry, or None."""
        raw = self._redis.hget(self._keys.dead_letters, entry_id)
        return DeadLetter.model_validate_json(raw) if raw else None

    def remove(self, entry_id: str) -> bool:
        """Delete one entry; True when it existed."""
        pipe = self._redis.pipeline()
        pipe.hdel(self._keys.dead_letters, entry_id)
        pipe.zrem(self._keys.dead_letter_index, entry_id)
        removed, _ = pipe.execute()
        return bool(removed)

    def iter(
        self,
        *,
        shop: str | None = None,
        sync_id: str | None = None,
        resource: str | None = None,
        category: str | None = None,
    ) -> Iterator[DeadLetter]:
        """Entries, oldest first, filtered by any of shop, sync, resource and reason category."""
        ids = [text(i) for i in self._redis.zrange(self._keys.dead_letter_index, 0, -1)]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for raw in self._redis.hmget(self._keys.dead_letters, chunk):
                if raw is None:
                    continue
                entry = DeadLetter.model_validate_json(raw)
                if (
                    (shop is None or entry.shop == shop)
                    and (sync_id is None or entry.sync_id == sync_id)
                    and (resource is None or entry.resource == resource)
                    and (category is None or entry.reason.category == category)
                ):
                    yield entry

    def count(self) -> int:
        """Number of entries."""
        return int(self._redis.hlen(self._keys.dead_letters))


def dump_jsonl(entries: Iterator[DeadLetter]) -> Iterator[str]:
    """One JSON line per entry, for files and ``dlq export``."""
    for entry in entries:
        yield json.dumps(entry.model_dump(mode="json"), ensure_ascii=False)
