"""``shopify-sync dlq``: look at dead letters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

import typer

from producers.commands.common import app_settings, echo_json, fail, redis_state
from settings import AppSettings
from worker.deadletters import DeadLetter, DeadLetterStore

app = typer.Typer(
    help="Dead letters: records that could not be written, with the reason.", no_args_is_help=True
)


def _entries(settings: AppSettings, **filters: str | None) -> Iterator[DeadLetter]:
    """From Redis; in embedded mode from the dead-letter files earlier runs wrote."""
    if settings.embedded:
        for path in sorted(settings.output_dir.glob("*/dead_letters.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                entry = DeadLetter.model_validate_json(line)
                if all(
                    value is None
                    or value == (entry.reason.category if name == "category" else getattr(entry, name))
                    for name, value in filters.items()
                ):
                    yield entry
        return
    with redis_state(settings) as (client, keys):
        yield from DeadLetterStore(client, keys).iter(**filters)


@app.command("list")
def list_(
    shop: Annotated[str | None, typer.Option(help="Only this shop.")] = None,
    sync: Annotated[str | None, typer.Option(help="Only this sync id.")] = None,
    resource: Annotated[str | None, typer.Option(help="Only this resource.")] = None,
    reason: Annotated[
        str | None, typer.Option(help="Only this reason category (validation, user_error, ...).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List dead letters, oldest first."""
    settings = app_settings()
    count = 0
    for entry in _entries(settings, shop=shop, sync_id=sync, resource=resource, category=reason):
        count += 1
        if as_json:
            typer.echo(json.dumps(entry.model_dump(mode="json"), ensure_ascii=False))
        else:
            where = f" [{entry.reason.field}]" if entry.reason.field else ""
            typer.echo(f"{entry.id}  {entry.reason.category}{where}: {entry.reason.message[:120]}")
    if not as_json:
        typer.echo(f"{count} dead letter(s)", err=True)


@app.command("show")
def show(entry_id: Annotated[str, typer.Argument(help="The id printed by `dlq list`.")]) -> None:
    """Show one dead letter in full: source row, mapped payload, reason, attempts, times."""
    settings = app_settings()
    for entry in _entries(settings):
        if entry.id == entry_id:
            echo_json(entry.model_dump(mode="json"))
            return
    fail(f"no dead letter {entry_id!r}")
