"""Cached lookups of Shopify ids by warehouse names: SKU -> inventory item or variant, location name -> id.

Entries live in Redis with a TTL, shared by every worker; a miss is resolved from Shopify and cached.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis

from worker.contract.keys import Keys, text

DEFAULT_TTL_S = 3600

# Takes the entry unless it holds a time less than ARGV[2] seconds before ARGV[1]; returns that time then.
_CLAIM = """
local held = redis.call('GET', KEYS[1])
if held and tonumber(ARGV[1]) - tonumber(held) < tonumber(ARGV[2]) then return held end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return false
"""


class LookupCache:
    """Name -> gid, per shop and kind of lookup."""

    def __init__(self, client: redis.Redis, keys: Keys, *, ttl_s: int = DEFAULT_TTL_S) -> None:
        self._redis = client
        self._keys = keys
        self._ttl_s = ttl_s
        self._claim = client.register_script(_CLAIM)

    def get_many(self, shop: str, kind: str, names: Iterable[str]) -> dict[str, str]:
        """The cached gids of ``names`` (missing names are absent from the result)."""
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        values = self._redis.mget([self._keys.lookup(shop, kind, n) for n in wanted])
        return {name: text(value) for name, value in zip(wanted, values, strict=True) if value is not None}

    def put_many(self, shop: str, kind: str, found: dict[str, str], *, ttl_s: int | None = None) -> None:
        """Cache ``found`` for ``ttl_s`` seconds (default: the cache's TTL)."""
        if not found:
            return
        pipe = self._redis.pipeline()
        for name, gid in found.items():
            pipe.set(self._keys.lookup(shop, kind, name), gid, ex=ttl_s or self._ttl_s)
        pipe.execute()

    def claim(
        self, shop: str, kind: str, name: str, now: float, *, hold_s: float, ttl_s: int
    ) -> float | None:
        """Atomically mark ``name`` as taken at ``now``, unless it was taken less than ``hold_s`` ago.

        Returns:
            None when the claim is ours; else the time of the claim that still holds.
        """
        held = self._claim(keys=[self._keys.lookup(shop, kind, name)], args=[repr(now), repr(hold_s), ttl_s])
        return float(held) if held else None

    def forget(self, shop: str, kind: str, name: str) -> None:
        """Drop one entry (Shopify said the cached id no longer exists)."""
        self._redis.delete(self._keys.lookup(shop, kind, name))
