"""``shopify-sync shops``: paused shops, resources paused for a denied access, and their held records."""

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
    """Whether the shop is paused and why, its held records, the resources lacking an access, its backlog."""
    settings = app_settings()
    with redis_state(settings) as (client, keys):
        pauses = ShopPauses(client, keys)
        name = _name(shop)
        reason = pauses.reason(name)
        held = pauses.held(name)
        lines = []
        for pause in pauses.access.all(name):
            batches = pauses.access.held(name, pause.resource)
            lines += [
                f"  {pause.resource}: PAUSED (missing access): needs {pause.required.describe()}; "
                f"{sum(len(b['records']) for b in batches)} record(s) held in {len(batches)} batch(es)",
                f"    waiting for {pause.waiting_for()}",
            ]
        backlog = Backlog(client, keys).of(name)
    state = f"PAUSED ({reason['category']}: {reason['message']})" if reason else "active"
    typer.echo(
        f"{name}: {state}; {sum(len(b['records']) for b in held)} record(s) held in {len(held)} batch(es)"
    )
    for line in lines:
        typer.echo(line)
    waiting = f"backlog: {backlog.queued} batch(es) queued, {backlog.booked} booked for later"
    if backlog.booked_until is not None:
        waiting += f" (the last starts {local_time(iso_time(backlog.booked_until))})"
    typer.echo(f"{name}: {waiting}")


@app.command("resume")
def resume(
    shop: Annotated[str, typer.Argument(help="The shop to resume, once its credentials are fixed.")],
) -> None:
    """Unpause a shop and every resource paused for an access, and enqueue their held records again.

    Records are forgotten only once enqueued. A resource whose access is still missing pauses again
    at its next write.
    """
    settings = app_settings()
    name = _name(shop)
    with redis_state(settings) as (client, keys):
        pauses = ShopPauses(client, keys)
        count = pauses.resume(name, enqueue_batch)
        by_resource = pauses.access.resume(name, enqueue_batch)
    typer.echo(f"{name}: resumed; {count + sum(by_resource.values())} record(s) enqueued again")
    for resource, records in by_resource.items():
        typer.echo(f"  {resource}: access pause ended; {records} record(s) enqueued again")


def _name(shop: str) -> str:
    try:
        return normalize_shop_name(shop)
    except ValueError as exc:
        fail(str(exc))
