"""The keys that encrypt stored credentials, as written in ``SHOPIFY_SYNC_CREDENTIALS_KEY`` or a key file.

Keys are Fernet keys (32 random bytes, url-safe base64), newest first: the first one encrypts, every
one decrypts, so a new key can be put in front while entries written under an older one stay readable.
"""

from __future__ import annotations

from typing import Annotated

from cryptography.fernet import Fernet
from pydantic import AfterValidator, SecretStr

from settings.env import problem

KEY_VARIABLE = "SHOPIFY_SYNC_CREDENTIALS_KEY"
KEY_FILE_VARIABLE = "SHOPIFY_SYNC_CREDENTIALS_KEY_FILE"
NEW_KEY_COMMAND = "shopify-sync auth new-key"


def parse_keys(text: str, source: str) -> list[bytes]:
    """The keys in ``text``, newest first: separated by commas or lines; blank lines and ``#`` lines skipped.

    Raises:
        ValueError: When there is no key, or one is not a Fernet key; the message names ``source`` and
            the key's position, never the key.
    """
    items = [
        item.strip()
        for line in text.splitlines()
        if not line.strip().startswith("#")
        for item in line.split(",")
        if item.strip()
    ]
    if not items:
        raise ValueError(f"{source} holds no key: print one with `{NEW_KEY_COMMAND}`")
    keys = []
    for position, item in enumerate(items, start=1):
        try:
            Fernet(item.encode())
        except ValueError:
            raise ValueError(
                f"{source}: key {position} of {len(items)} is not a Fernet key (32 url-safe "
                f"base64-encoded bytes): print one with `{NEW_KEY_COMMAND}`"
            ) from None
        keys.append(item.encode())
    return keys


def _valid(value: SecretStr | None) -> SecretStr | None:
    if value is not None:
        try:
            parse_keys(value.get_secret_value(), KEY_VARIABLE)
        except ValueError as exc:
            # The settings' own error type: the message already names the variable.
            raise problem(str(exc)) from None
    return value


CredentialKeys = Annotated[SecretStr | None, AfterValidator(_valid)]
