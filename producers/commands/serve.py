"""``shopify-sync serve``: the HTTP producer that Multiwoven's HTTP destination posts records to."""

from __future__ import annotations

from typing import Annotated

import typer

from producers.commands.common import app_settings, fail
from settings import ShopsFileError


def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    host: Annotated[
        str, typer.Option(help="Address to bind; put TLS in front of it when it is not local.")
    ] = ("127.0.0.1"),
) -> None:
    """Accept Multiwoven's HTTP destination payloads for the shops in SHOPIFY_SYNC_SHOPS_FILE.

    POST /shops/<shop>/<resource>/syncs/<sync id> takes {"records": [{"fields": {...}}]} (and answers the
    connection check {} with 200); GET /syncs/<sync id> reports a sync; GET /healthz needs no token.
    Every other request needs "Authorization: Bearer $SHOPIFY_SYNC_HTTP_BEARER_TOKEN".
    """
    settings = app_settings("http")
    from producers.http import serve as run

    try:
        run(settings, host=host, port=port)
    except (ValueError, ShopsFileError, OSError) as exc:
        fail(str(exc))
