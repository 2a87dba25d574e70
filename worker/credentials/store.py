"""Where stored credentials live: Redis for a fleet of workers, or an owner-only file on one machine.

Both stores keep one record per shop and offer a non-blocking, per-shop lock that the one worker
refreshing a token holds: refresh tokens rotate, so two refreshes with the same token would leave the
loser holding a retired token.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import redis

from worker.contract.keys import Keys
from worker.credentials.model import StoredCredentials

log = logging.getLogger(__name__)


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
            ValueError: When the stored record is unreadable or the file is open to other users.
        """

    def put(self, shop: str, credentials: StoredCredentials) -> None:
        """Replace the shop's credentials."""

    def try_lock(self, shop: str, ttl_s: float) -> RefreshLock | None:
        """Take the shop's refresh lock without waiting; None when another holder has it."""


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
    """Credentials in Redis under the key prefix; the lock is redis-py's ``Lock``, expiring after ttl_s."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys

    @property
    def location(self) -> str:
        """The key pattern."""
        return f"Redis ({self._keys.credentials('<shop>')})"

    def get(self, shop: str) -> StoredCredentials | None:
        """See ``CredentialStore.get``."""
        raw = self._redis.get(self._keys.credentials(shop))
        return None if raw is None else StoredCredentials.from_json(raw)

    def put(self, shop: str, credentials: StoredCredentials) -> None:
        """See ``CredentialStore.put``."""
        self._redis.set(self._keys.credentials(shop), credentials.to_json())

    def try_lock(self, shop: str, ttl_s: float) -> RefreshLock | None:
        """See ``CredentialStore.try_lock``."""
        lock = self._redis.lock(self._keys.credentials_lock(shop), timeout=ttl_s, thread_local=False)
        return _RedisLock(lock) if lock.acquire(blocking=False) else None


class _FileLock:
    def __init__(self, fd: int) -> None:
        self._fd = fd

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)


class FileCredentialStore:
    """Credentials in one JSON file (mode 0600, directory 0700), for a single machine.

    Locks are ``flock`` on small per-shop files beside it: they are released when their holder
    exits, so a crashed worker never leaves a shop locked. ``ttl_s`` is therefore not needed.
    """

    def __init__(self, path: Path) -> None:
        self._path = path

    @property
    def location(self) -> str:
        """The file."""
        return str(self._path)

    def get(self, shop: str) -> StoredCredentials | None:
        """See ``CredentialStore.get``."""
        raw = self._read_all().get(shop)
        return None if raw is None else StoredCredentials.from_json(json.dumps(raw))

    def put(self, shop: str, credentials: StoredCredentials) -> None:
        """See ``CredentialStore.put``: read, change and atomically replace the file, under a file lock."""
        with self._file_lock():
            everything = self._read_all()
            everything[shop] = json.loads(credentials.to_json())
            tmp = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(everything, out, indent=2)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self._path)

    def try_lock(self, shop: str, ttl_s: float) -> RefreshLock | None:
        """See ``CredentialStore.try_lock``."""
        fd = self._open_lock_file(f".{self._path.name}.{shop}.lock")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return _FileLock(fd)

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        fd = self._open_lock_file(f".{self._path.name}.lock")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _open_lock_file(self, name: str) -> int:
        self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return os.open(self._path.with_name(name), os.O_RDWR | os.O_CREAT, 0o600)

    def _read_all(self) -> dict[str, object]:
        try:
            mode = self._path.stat().st_mode
        except FileNotFoundError:
            return {}
        if stat.S_IMODE(mode) & 0o077:
            raise ValueError(f"{self._path} is open to other users: run chmod 600 {self._path}")
        data = json.loads(self._path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{self._path} is not a credentials file")
        return data
