"""Credentials in one owner-only JSON file, for a single machine (embedded mode).

The file maps each shop to its sealed record (a string; see ``cipher.py``). A record that older
versions wrote as a plain JSON object is sealed the first time it is read.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from worker.credentials.cipher import Former, read_stored
from worker.credentials.model import StoredCredentials
from worker.credentials.store import CipherSource, RefreshLock

log = logging.getLogger(__name__)


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

    def __init__(self, path: Path, cipher: CipherSource) -> None:
        self._path = path
        self._cipher = cipher

    @property
    def location(self) -> str:
        """The file."""
        return str(self._path)

    def get(self, shop: str) -> StoredCredentials | None:
        """See ``CredentialStore.get``: a plain record is sealed in place."""
        stored = self._read_all().get(shop)
        if stored is None:
            return None
        reading = read_stored(self._cipher(), shop, _stored_form(stored))
        if reading.former == "plain" and reading.resealed is not None:
            sealed = reading.resealed.decode("ascii")
            if self._rewrite(lambda everything: _swap(everything, shop, stored, sealed)):
                log.info("sealed the plain stored credentials of shop %s", shop)
        return reading.credentials

    def put(self, shop: str, credentials: StoredCredentials) -> None:
        """See ``CredentialStore.put``."""
        sealed = self._cipher().seal(shop, credentials).decode("ascii")

        def replace(everything: dict[str, object]) -> bool:
            everything[shop] = sealed
            return True

        self._rewrite(replace)

    def try_lock(self, shop: str, ttl_s: float) -> RefreshLock | None:
        """See ``CredentialStore.try_lock``."""
        fd = self._open_lock_file(f".{self._path.name}.{shop}.lock")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return _FileLock(fd)

    def shops(self) -> list[str]:
        """See ``CredentialStore.shops``."""
        return sorted(self._read_all())

    def reseal(self, shop: str) -> Former | None:
        """See ``CredentialStore.reseal``: read and replaced under the file lock."""
        former: list[Former] = []

        def reseal(everything: dict[str, object]) -> bool:
            stored = everything.get(shop)
            if stored is None:
                return False
            reading = read_stored(self._cipher(), shop, _stored_form(stored))
            former.append(reading.former)
            if reading.resealed is None:
                return False
            everything[shop] = reading.resealed.decode("ascii")
            return True

        self._rewrite(reseal)
        return former[0] if former else None

    def _rewrite(self, change: Callable[[dict[str, object]], bool]) -> bool:
        """Read, ``change`` and atomically replace the file, under a file lock; False when nothing changed."""
        with self._file_lock():
            everything = self._read_all()
            if not change(everything):
                return False
            tmp = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(everything, out, indent=2)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self._path)
            return True

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


def _stored_form(value: object) -> str | dict[str, Any]:
    if isinstance(value, str | dict):
        return value
    raise ValueError("stored credentials are unreadable")


def _swap(everything: dict[str, object], shop: str, expected: object, sealed: str) -> bool:
    if everything.get(shop) != expected:
        return False  # a writer replaced it since it was read
    everything[shop] = sealed
    return True
