"""Where stored credentials live: Redis for a fleet of workers, or an owner-only file on one machine.

Both stores keep one encrypted record per shop (see ``cipher.py``) and offer a non-blocking, per-shop
lock that the one worker refreshing a token holds: refresh tokens rotate, so two refreshes with the
same token would leave the loser holding a retired token. A record older versions stored as plain JSON
is sealed the first time it is read, unless a writer replaced it meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import redis

from worker.contract.keys import Keys
from worker.credentials.cipher import CredentialCipher, Former, read_stored
from worker.credentials.model import StoredCredentials

log = logging.getLogger(__name__)

CipherSource = Callable[[], CredentialCipher]

# How often ``reseal`` looks again when a writer keeps replacing the record it is resealing.
RESEAL_ATTEMPTS = 5

# KEYS[1] the credentials; ARGV[1] the value read, ARGV[2] its replacement. 1 when replaced, else 0.
_SWAP = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"""


class RefreshLock(Protocol):
    """A held per-shop lock."""

    def release(self) -> None:
        """Let the next worker in."""


class CredentialStore(Protocol):
    """Stored credentials by shop handle."""

    @property
    def location(self) -> str:
        """Where the credentials are, for messages (never their content)."""

    def get(self, shop: str) -> StoredCredentials | None:
        """The shop's credentials, or None.

        Raises:
            ValueError: When the stored record is unreadable, no key opens it (``CredentialKeyError``),
                or the file is open to other users.
        """

    def put(self, shop: str, credentials: StoredCredentials) -> None:
        """Replace the shop's credentials (sealed under the newest key)."""

    def try_lock(self, shop: str, ttl_s: float) -> RefreshLock | None:
        """Take the shop's refresh lock without waiting; None when another holder has it."""

    def shops(self) -> list[str]:
        """The shops that have stored credentials, sorted."""

    def reseal(self, shop: str) -> Former | None:
        """Store the shop's credentials sealed under the newest key; what they were, or None when absent.

        Raises:
            ValueError: As ``get``.
        """


class _RedisLock:
    def __init__(self, lock: redis.lock.Lock) -> None:
        self._lock = lock

    def release(self) -> None:
        try:
            self._lock.release()
        except redis.exceptions.LockError:
            # It expired while held (a refresh slower than its TTL): another worker may hold it now.
            log.warning("credentials refresh lock expired before it was released")


class RedisCredentialStore:
    """Credentials in Redis under the key prefix; the lock is redis-py's ``Lock``, expiring after ttl_s.

    ``cipher`` is called only when a record is sealed or opened, so a fleet whose shops all have a
    token in the shops file needs no key.
    """

    def __init__(self, client: redis.Redis, keys: Keys, cipher: CipherSource) -> None:
        self._redis = client
        self._keys = keys
        self._cipher = cipher
        self._swap = client.register_script(_SWAP)

    @property
    def location(self) -> str:
        """The key pattern."""
        return f"Redis ({self._keys.credentials('<shop>')})"

    def get(self, shop: str) -> StoredCredentials | None:
        """See ``CredentialStore.get``: a plain record is sealed in place."""
        key = self._keys.credentials(shop)
        raw = self._redis.get(key)
        if raw is None:
            return None
        reading = read_stored(self._cipher(), shop, raw)
        sealed = reading.resealed if reading.former == "plain" else None
        if sealed is not None and self._swap(keys=[key], args=[raw, sealed]):
            log.info("sealed the plain stored credentials of shop %s", shop)
        return reading.credentials

    def put(self, shop: str, credentials: StoredCredentials) -> None:
        """See ``CredentialStore.put``."""
        self._redis.set(self._keys.credentials(shop), self._cipher().seal(shop, credentials))

    def try_lock(self, shop: str, ttl_s: float) -> RefreshLock | None:
        """See ``CredentialStore.try_lock``."""
        lock = self._redis.lock(self._keys.credentials_lock(shop), timeout=ttl_s, thread_local=False)
        return _RedisLock(lock) if lock.acquire(blocking=False) else None

    def shops(self) -> list[str]:
        """See ``CredentialStore.shops``."""
        start = self._keys.credentials("")
        found = (k.decode() if isinstance(k, bytes) else str(k) for k in self._redis.scan_iter(f"{start}*"))
        return sorted(name[len(start) :] for name in found)

    def reseal(self, shop: str) -> Former | None:
        """See ``CredentialStore.reseal``: replaced only if unchanged since read, else read again."""
        key = self._keys.credentials(shop)
        for _ in range(RESEAL_ATTEMPTS):
            raw = self._redis.get(key)
            if raw is None:
                return None
            reading = read_stored(self._cipher(), shop, raw)
            if reading.resealed is None or self._swap(keys=[key], args=[raw, reading.resealed]):
                return reading.former
        raise ValueError(f"the stored credentials kept changing during {RESEAL_ATTEMPTS} attempts")
