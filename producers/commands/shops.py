"""``shopify-sync shops``: paused shops and their held records."""

from __future__ import annotations

from typing import Annotated

import typer

from producers.commands.common import app_settings, fail, redis_state
from settings import normalize_shop_name
from worker.pauses import ShopPauses
from worker.tasks import enqueue_batch

app = typer.Typer(help="Paused shops and their held records.", no_args_is_help=True)


@app.command("status")
def status(shop: Annotated[str, typer.Argument(help="The shop.")]) -> None:
    """Whether the shop is paused, why, and how many batches are held."""
    settings = app_settings()
    with redis_state(settings) as (client, keys):
        pauses = ShopPauses(client, keys)
        name = normalize_shop_name(shop)
        reason = pauses.reason(name)
        held = pauses.held(name)
    state = f"PAUSED ({reason['category']}: {reason['message']})" if reason else "active"
    typer.echo(
        f"{name}: {state}; {sum(len(b['records']) for b in held)} record(s) held in {len(held)} batch(es)"
    )


@app.command("resume")
def resume(
    shop: Annotated[str, typer.Argument(help="The shop to resume, once its credentials are fixed.")],
) -> None:
    """Unpause a shop and enqueue its held records again (they are forgotten only once enqueued)."""
    settings = app_settings()
    try:
        name = normalize_shop_name(shop)
    except ValueError as exc:
        fail(str(exc))
    with redis_state(settings) as (client, keys):
        pauses = ShopPauses(client, keys)
        # Unpause first: a worker taking a re-enqueued batch while the flag is set would hold it again, and
        # once the flag is gone no worker adds to the held list (ShopPauses.hold checks it atomically).
        pauses.unpause(name)
        held = pauses.held(name)
        for batch in held:
            enqueue_batch(batch["shop"], batch["sync_id"], batch["resource"], batch["records"])
        pauses.forget_held(name, len(held))
    typer.echo(f"{name}: resumed; {sum(len(b['records']) for b in held)} record(s) enqueued again")
