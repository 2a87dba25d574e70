"""``shopify-sync shops``: paused shops and their held records."""

from __future__ import annotations

from typing import Annotated

import typer

from producers.commands.common import app_settings, fail, redis_state
from producers.sync_status import local_time
from settings import normalize_shop_name
from worker.contract.backlog import Backlog
from worker.contract.enqueue import enqueue_batch
from worker.contract.pauses import ShopPauses
from worker.contract.taskview import iso_time

app = typer.Typer(help="Paused shops and their held records.", no_args_is_help=True)


@app.command("status")
def status(shop: Annotated[str, typer.Argument(help="The shop.")]) -> None:
    """Whether the shop is paused, why, how many batches are held, and its backlog."""
    settings = app_settings()
    with redis_state(settings) as (client, keys):
        pauses = ShopPauses(client, keys)
        name = normalize_shop_name(shop)
        reason = pauses.reason(name)
        held = pauses.held(name)
        backlog = Backlog(client, keys).of(name)
    state = f"PAUSED ({reason['category']}: {reason['message']})" if reason else "active"
    typer.echo(
        f"{name}: {state}; {sum(len(b['records']) for b in held)} record(s) held in {len(held)} batch(es)"
    )
    waiting = f"backlog: {backlog.queued} batch(es) queued, {backlog.booked} booked for later"
    if backlog.booked_until is not None:
        waiting += f" (the last starts {local_time(iso_time(backlog.booked_until))})"
    typer.echo(f"{name}: {waiting}")


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
        count = ShopPauses(client, keys).resume(name, enqueue_batch)
    typer.echo(f"{name}: resumed; {count} record(s) enqueued again")
