"""The key of the stored credentials: ``auth new-key`` prints one, ``auth reencrypt`` applies the newest.

See docs/authentication.md, "Encryption at rest".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from producers.commands.common import EXIT_FAILED, app_settings, fail, redis_client
from settings import AppSettings
from worker.credentials import CredentialStore, credential_store, key_source
from worker.credentials import new_key as fresh_key

_FORMER = {
    "plain": "sealed (was plain JSON)",
    "older_key": "re-encrypted (was under an older key)",
    "newest_key": "already under the newest key",
}


def new_key() -> None:
    """Print a fresh random key for SHOPIFY_SYNC_CREDENTIALS_KEY (nothing is stored)."""
    typer.echo(fresh_key())


def reencrypt() -> None:
    """Encrypt every stored credential under the newest key (the first of SHOPIFY_SYNC_CREDENTIALS_KEY).

    Plain records of older versions are encrypted too. Exits 1 when a record could not be read: it
    is left as it was, and its shop is named.
    """
    settings = app_settings()
    failed = 0
    with open_store(settings, writing=True) as store:
        shops = store.shops()
        for shop in shops:
            try:
                former = store.reseal(shop)
            except ValueError as exc:
                failed += 1
                typer.echo(f"{shop}: left as it was: {exc}", err=True)
                continue
            if former is not None:
                typer.echo(f"{shop}: {_FORMER[former]}")
    typer.echo(f"{len(shops) - failed} of {len(shops)} stored credentials are under the newest key")
    if failed:
        raise typer.Exit(EXIT_FAILED)


@contextmanager
def open_store(settings: AppSettings, *, writing: bool = False) -> Iterator[CredentialStore]:
    """The workers' store; ``writing``: exit at once when there is no usable key (before any grant)."""
    client = None if settings.embedded else redis_client(settings)
    keys = key_source(settings, client, notify=lambda note: typer.echo(f"note: {note}", err=True))
    try:
        if writing:
            try:
                keys()
            except ValueError as exc:
                fail(str(exc), EXIT_FAILED)
        yield credential_store(settings, client, keys)
    finally:
        if client is not None:
            client.close()
