"""Stored credentials encrypted at rest: Fernet (AES-128-CBC and HMAC-SHA256) under keys newest first.

A sealed record is the Fernet token of ``{"shop": ..., "credentials": {...}}``. The shop is inside the
authenticated text, so a value copied from one shop's entry to another's is refused rather than sent
to the wrong store. A stored value that starts with ``{`` is the plain JSON older versions wrote.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from settings.credential_keys import KEY_FILE_VARIABLE, KEY_VARIABLE
from worker.credentials.model import StoredCredentials

# What a stored value was before it was sealed under the newest key.
Former = Literal["plain", "older_key", "newest_key"]


class CredentialKeyError(ValueError):
    """No usable key, or a stored value that no configured key opens.

    The message says what to do; it never holds a key, a token or the stored value.
    """


def new_key() -> str:
    """A fresh random key, as ``shopify-sync auth new-key`` prints it."""
    return Fernet.generate_key().decode("ascii")


def is_plain(stored: str | bytes | dict[str, Any]) -> bool:
    """Whether ``stored`` is the unencrypted JSON of an older version (a dict, when read from the file)."""
    if isinstance(stored, dict):
        return True
    head = stored.lstrip()[:1]
    return head in ("{", b"{")


class CredentialCipher:
    """Seals and opens one shop's credentials; ``keys`` newest first (the first one seals)."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise CredentialKeyError(f"no credentials key: set {KEY_VARIABLE}")
        self._newest = Fernet(keys[0])
        self._any = MultiFernet([Fernet(key) for key in keys])

    def seal(self, shop: str, credentials: StoredCredentials) -> bytes:
        """The encrypted form of ``credentials``, bound to ``shop``."""
        record = {"shop": shop, "credentials": json.loads(credentials.to_json())}
        return self._newest.encrypt(json.dumps(record).encode("utf-8"))

    def open(self, shop: str, sealed: str | bytes) -> StoredCredentials:
        """Decrypt and check what ``seal`` wrote for ``shop``.

        Raises:
            CredentialKeyError: When no configured key opens it (wrong key, or the value was altered),
                or it was sealed for another shop.
            ValueError: When it decrypts to something that is not stored credentials.
        """
        try:
            plain = self._any.decrypt(sealed)
        except InvalidToken:
            raise CredentialKeyError(
                f"they cannot be decrypted with the configured key ({KEY_VARIABLE} or {KEY_FILE_VARIABLE}): "
                "the key they were stored with is missing from it, or the stored value was altered. "
                "Configure that key (older keys go after the newest, comma-separated), or store them "
                "again with `shopify-sync auth`"
            ) from None
        try:
            record = json.loads(plain)
            owner, credentials = record["shop"], record["credentials"]
        except (ValueError, TypeError, KeyError):
            raise ValueError("stored credentials are unreadable") from None
        if owner != shop:
            raise CredentialKeyError(
                "they were stored for another shop: the stored value was copied or altered"
            )
        return StoredCredentials.from_json(json.dumps(credentials))

    def is_newest(self, sealed: str | bytes) -> bool:
        """Whether ``sealed`` was sealed under the newest key."""
        try:
            self._newest.decrypt(sealed)
        except InvalidToken:
            return False
        return True


@dataclass(frozen=True)
class Reading:
    """A stored value read: the credentials, what the value was, and its sealed form under the newest key.

    Attributes:
        credentials: What the value holds.
        former: ``plain`` (unencrypted JSON), ``older_key`` or ``newest_key``.
        resealed: The value to store instead, or None when it is already sealed under the newest key.
    """

    credentials: StoredCredentials
    former: Former
    resealed: bytes | None


def read_stored(cipher: CredentialCipher, shop: str, stored: str | bytes | dict[str, Any]) -> Reading:
    """Read one stored value of ``shop``, plain or sealed, and say how it should be stored now.

    Raises:
        CredentialKeyError: See ``CredentialCipher.open``.
        ValueError: When the value is not stored credentials.
    """
    if is_plain(stored):
        text = json.dumps(stored) if isinstance(stored, dict) else stored
        credentials = StoredCredentials.from_json(text)
        return Reading(credentials, "plain", cipher.seal(shop, credentials))
    assert not isinstance(stored, dict)
    credentials = cipher.open(shop, stored)
    if cipher.is_newest(stored):
        return Reading(credentials, "newest_key", None)
    return Reading(credentials, "older_key", cipher.seal(shop, credentials))
