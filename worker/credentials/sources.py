"""Which store and which token provider a shop uses.

A shop whose shops-file entry has an ``access_token`` uses it as it always did. A shop without one uses
the credentials ``shopify-sync auth`` stored: in Redis (under the key prefix) when
``SHOPIFY_SYNC_REDIS_URL`` is set, so every worker of the fleet shares them; in an owner-only file
when running embedded on one machine. Either way the records are encrypted with a key kept outside
the store (``keyring.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import redis

from settings import AppSettings, ShopConfig
from worker.contract.keys import Keys
from worker.credentials.endpoint import SessionSource, TokenEndpoint
from worker.credentials.file_store import FileCredentialStore
from worker.credentials.keyring import KEY_FILE_NAME, KeySource
from worker.credentials.provider import StaticTokenProvider, StoredTokenProvider, TokenProvider
from worker.credentials.store import CredentialStore, RedisCredentialStore


def credentials_file(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/shopify-sync/credentials.json`` (``~/.config`` when the variable is unset)."""
    env = os.environ if environ is None else environ
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "shopify-sync" / "credentials.json"


def key_source(settings: AppSettings, client: redis.Redis | None, **options: Any) -> KeySource:
    """The key of the store ``credential_store`` picks; ``options`` go to ``KeySource`` (``notify``)."""
    embedded = settings.embedded or client is None
    local = credentials_file().with_name(KEY_FILE_NAME)
    return KeySource(settings, embedded=embedded, local_key_file=local, **options)


def credential_store(
    settings: AppSettings, client: redis.Redis | None, keys: KeySource | None = None
) -> CredentialStore:
    """Redis in Redis mode (``client`` is that Redis), the credentials file in embedded mode."""
    keys = keys or key_source(settings, client)
    if settings.embedded or client is None:
        return FileCredentialStore(credentials_file(), keys)
    return RedisCredentialStore(client, Keys(settings.key_prefix), keys)


class TokenSources:
    """The token provider of each shop, for one worker process.

    The stored-credentials provider is built on first use and kept: its per-shop locks must be shared
    by every batch the process runs.
    """

    def __init__(self, store: Callable[[], CredentialStore], http: SessionSource) -> None:
        self._store = store
        self._http = http
        self._static = StaticTokenProvider()
        self._stored: StoredTokenProvider | None = None

    def for_shop(self, shop: ShopConfig) -> TokenProvider:
        """The shops file's token when it has one, else the stored credentials."""
        if shop.access_token is not None:
            return self._static
        if self._stored is None:
            self._stored = StoredTokenProvider(self._store(), TokenEndpoint(self._http))
        return self._stored
