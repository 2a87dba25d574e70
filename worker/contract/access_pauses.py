"""Writes paused for an access Shopify denied: per shop and resource, not the whole shop.

A resource whose write answered ``ACCESS_DENIED`` (or 403) takes no more requests; its batches are held
in Redis as they were, and the shop's other resources go on. The pause keeps the access Shopify named
and, once read, the scopes the token had then (``seen``). It ends:

- when the token is seen holding a required scope it was seen lacking (the worker reads the token's
  scopes once per probe interval: ``observe``); a request that needs no scope (``shop { name }``) never
  ends it;
- when new credentials are stored whose scopes grant it (``auth install``, ``auth client-credentials``:
  ``resume_granted``);
- by ``shops resume``.

A staff permission or a plan cannot be read back, and a token seen holding the scope it was refused
for was refused for something else: those pauses end only by ``shops resume``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import redis

from worker.contract.access import RequiredAccess
from worker.contract.keys import Keys, text

Enqueue = Callable[[str, str, str, list[dict[str, Any]]], object]

# KEYS[1] access pauses, KEYS[2] held list; ARGV[1] resource, ARGV[2] batch. 1 when kept, 0 when not paused.
_HOLD = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
return 1
"""

# KEYS[1] access pauses; ARGV[1] resource, ARGV[2] the value read, ARGV[3] its replacement ('' deletes).
# 1 when the field still held the value read (and was replaced), else 0.
_SWAP = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1])
else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1
"""


@dataclass(frozen=True)
class AccessPause:
    """One resource of one shop, paused for an access.

    Attributes:
        resource: The resource whose writes wait.
        required: The access Shopify named.
        message: Shopify's answer, shortened (field names and Shopify's words, no record data).
        since: When it was paused (Unix seconds).
        seen: The token's scopes when first read after the pause; None until read.
    """

    resource: str
    required: RequiredAccess
    message: str
    since: float
    seen: tuple[str, ...] | None = None

    @property
    def ends_on_scopes(self) -> bool:
        """Whether reading the token's scopes can end it: scopes alone, and the token lacked them."""
        return (
            self.required.kind == "scope"
            and self.seen is not None
            and not self.required.granted_by(self.seen)
        )

    def waiting_for(self) -> str:
        """What ends this pause, for ``shops status``."""
        kind = self.required.kind
        if kind in ("permission", "plan"):
            return (
                f"a staff permission or plan Shopify cannot report ({kind}): `shops resume` once it is given"
            )
        if kind == "unnamed":
            return "new credentials (`auth install` / `auth client-credentials`) or `shops resume`"
        if self.seen is None:
            return "the token's scopes to be read (at the next batch of this shop)"
        if not self.ends_on_scopes:
            return (
                "the token already holds the scope Shopify named, so it refused for another reason: "
                "`shops resume` once fixed"
            )
        return "the token to gain the scope (re-install, client credentials; read once per probe interval)"

    def to_json(self) -> str:
        """The stored form."""
        seen = None if self.seen is None else list(self.seen)
        return json.dumps(
            {"required": self.required.to_dict(), "message": self.message, "since": self.since, "seen": seen}
        )

    @classmethod
    def from_json(cls, resource: str, raw: str | bytes) -> AccessPause:
        """Read the stored form."""
        data = json.loads(raw)
        seen = data.get("seen")
        return cls(
            resource=resource,
            required=RequiredAccess.from_dict(data.get("required") or {}),
            message=str(data.get("message", "")),
            since=float(data.get("since", 0.0)),
            seen=None if seen is None else tuple(str(s) for s in seen),
        )


class AccessPauses:
    """Access pauses and their held batches, per shop and resource."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys
        self._hold = client.register_script(_HOLD)
        self._swap = client.register_script(_SWAP)

    def pause(self, shop: str, resource: str, required: RequiredAccess, *, message: str) -> bool:
        """Pause ``resource`` of ``shop``; the first pause is kept. True when it was not paused before."""
        pause = AccessPause(resource, required, message[:500], time.time())
        return bool(self._redis.hsetnx(self._keys.access_pauses(shop), resource, pause.to_json()))

    def get(self, shop: str, resource: str) -> AccessPause | None:
        """The pause of ``resource``, or None."""
        raw = self._redis.hget(self._keys.access_pauses(shop), resource)
        return None if raw is None else AccessPause.from_json(resource, raw)

    def all(self, shop: str) -> list[AccessPause]:
        """Every access pause of the shop, by resource."""
        return [pause for pause, _ in self._read(shop)]

    def hold(self, shop: str, resource: str, batch: dict[str, Any]) -> bool:
        """Keep a batch until ``resource`` is resumed; False (nothing kept) when it is not paused any more."""
        keys = [self._keys.access_pauses(shop), self._keys.held_for_access(shop, resource)]
        return bool(self._hold(keys=keys, args=[resource, json.dumps(batch, default=str)]))

    def held(self, shop: str, resource: str) -> list[dict[str, Any]]:
        """The batches held for ``resource``, oldest first."""
        return [
            json.loads(raw) for raw in self._redis.lrange(self._keys.held_for_access(shop, resource), 0, -1)
        ]

    def probe_due(self, shop: str, interval_s: float) -> bool:
        """True for exactly one caller per ``interval_s`` across every worker: its turn to read the scopes."""
        key = self._keys.access_probe(shop)
        return bool(self._redis.set(key, "1", nx=True, px=max(int(interval_s * 1000), 1)))

    def observe(self, shop: str, granted: Iterable[str]) -> list[str]:
        """The token's scopes were read: note them on new pauses, end those they now grant.

        Returns:
            The resources unpaused; their held batches are still to ``release``.
        """
        scopes = tuple(granted)
        ended: list[str] = []
        for pause, raw in self._read(shop):
            if pause.seen is None:
                self._replace(shop, pause.resource, raw, replace(pause, seen=scopes).to_json())
            elif (
                pause.ends_on_scopes
                and pause.required.granted_by(scopes)
                and self._replace(shop, pause.resource, raw, "")
            ):
                ended.append(pause.resource)
        return ended

    def resume_granted(self, shop: str, granted: Iterable[str], enqueue: Enqueue) -> dict[str, int]:
        """New credentials were stored: resume the pauses their scopes grant (and unnamed ones).

        Returns:
            Resource -> records enqueued again.
        """
        scopes = tuple(granted)
        chosen = [p for p in self.all(shop) if p.required.granted_by(scopes) or p.required.kind == "unnamed"]
        return self.resume(shop, enqueue, resources=[p.resource for p in chosen])

    def resume(
        self, shop: str, enqueue: Enqueue, *, resources: Iterable[str] | None = None
    ) -> dict[str, int]:
        """Unpause ``resources`` (default: every paused one) and enqueue their held batches again."""
        names = [p.resource for p in self.all(shop)] if resources is None else list(resources)
        if names:
            self._redis.hdel(self._keys.access_pauses(shop), *names)
        return {name: self.release(shop, name, enqueue) for name in names}

    def release(self, shop: str, resource: str, enqueue: Enqueue) -> int:
        """Enqueue the held batches of an unpaused resource; forgotten only once enqueued. Records sent."""
        held = self.held(shop, resource)
        for batch in held:
            enqueue(batch["shop"], batch["sync_id"], batch["resource"], batch["records"])
        self._redis.ltrim(self._keys.held_for_access(shop, resource), len(held), -1)
        return sum(len(batch["records"]) for batch in held)

    def _read(self, shop: str) -> list[tuple[AccessPause, str]]:
        found = self._redis.hgetall(self._keys.access_pauses(shop))
        pauses = [(AccessPause.from_json(text(name), raw), text(raw)) for name, raw in found.items()]
        return sorted(pauses, key=lambda pair: pair[0].resource)

    def _replace(self, shop: str, resource: str, read: str, value: str) -> bool:
        """Replace (with '' delete) a pause only if it is still what was read (another worker may act)."""
        return bool(self._swap(keys=[self._keys.access_pauses(shop)], args=[resource, read, value]))
