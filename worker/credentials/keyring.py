"""Where the credentials key comes from: never from the store it protects.

- ``SHOPIFY_SYNC_CREDENTIALS_KEY``: keys newest first, comma-separated;
- ``SHOPIFY_SYNC_CREDENTIALS_KEY_FILE``: a file of them (one per line), owner-only like the credentials file;
- neither, in Redis mode: credentials are refused, with the command that prints a key;
- neither, in embedded mode: ``credentials.key`` beside the credentials file, made (0600) on first use.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

from settings import AppSettings
from settings.credential_keys import KEY_FILE_VARIABLE, KEY_VARIABLE, NEW_KEY_COMMAND, parse_keys
from worker.credentials.cipher import CredentialCipher, CredentialKeyError, new_key
from worker.observability import register_secrets

log = logging.getLogger(__name__)

KEY_FILE_NAME = "credentials.key"

MISSING_KEY = (
    f"{KEY_VARIABLE} is not set: credentials in Redis are stored encrypted, with a key kept outside Redis. "
    f"Print a fresh key with `{NEW_KEY_COMMAND}` and give it to the workers, `serve` and `shopify-sync auth` "
    f"as {KEY_VARIABLE} (or put it in a file named by {KEY_FILE_VARIABLE})"
)


class KeySource:
    """The cipher for one process, built on first use and kept.

    Parameters:
        settings: Where ``credentials_key`` and ``credentials_key_file`` come from.
        embedded: Whether credentials live in the local file (a local key file may then be made).
        local_key_file: The key file embedded mode makes when no key is configured.
        notify: Told, once, when a local key file was made (the CLI prints it; workers log it).
    """

    def __init__(
        self,
        settings: AppSettings,
        *,
        embedded: bool,
        local_key_file: Path,
        notify: Callable[[str], None] = log.warning,
    ) -> None:
        self._settings = settings
        self._embedded = embedded
        self._local = local_key_file
        self._notify = notify
        self._cipher: CredentialCipher | None = None

    def __call__(self) -> CredentialCipher:
        """The cipher.

        Raises:
            CredentialKeyError: When no key is configured (Redis mode), or the configured one is unusable.
        """
        if self._cipher is None:
            keys = self._keys()
            register_secrets(key.decode("ascii") for key in keys)
            self._cipher = CredentialCipher(keys)
        return self._cipher

    def _keys(self) -> list[bytes]:
        key, key_file = self._settings.credentials_key, self._settings.credentials_key_file
        if key is not None and key_file is not None:
            raise CredentialKeyError(f"set {KEY_VARIABLE} or {KEY_FILE_VARIABLE}, not both")
        if key is not None:
            try:
                return parse_keys(key.get_secret_value(), KEY_VARIABLE)
            except ValueError as exc:
                raise CredentialKeyError(str(exc)) from None
        if key_file is not None:
            return read_key_file(key_file)
        if not self._embedded:
            raise CredentialKeyError(MISSING_KEY)
        try:
            return self._local_keys()
        except OSError as exc:
            problem = f"cannot make the credentials key file {self._local}: {type(exc).__name__}"
            raise CredentialKeyError(problem) from None

    def _local_keys(self) -> list[bytes]:
        if self._local.exists():
            return read_key_file(self._local)
        self._local.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self._local.with_name(f".{self._local.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(new_key() + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, self._local)  # fails if another process made the key first: use theirs
        except FileExistsError:
            return read_key_file(self._local)
        finally:
            tmp.unlink()
        self._notify(
            f"made a key for the stored credentials: {self._local} (mode 0600). Back it up apart from "
            f"the credentials file: without it the stored tokens cannot be read"
        )
        return read_key_file(self._local)


def read_key_file(path: Path) -> list[bytes]:
    """The keys in an owner-only key file.

    Raises:
        CredentialKeyError: When it is missing, open to other users, or holds no valid key.
    """
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise CredentialKeyError(f"the credentials key file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        problem = type(exc).__name__
        raise CredentialKeyError(f"cannot read the credentials key file {path}: {problem}") from None
    if stat.S_IMODE(mode) & 0o077:
        raise CredentialKeyError(f"{path} is open to other users: run chmod 600 {path}")
    try:
        return parse_keys(text, str(path))
    except ValueError as exc:
        raise CredentialKeyError(str(exc)) from None
