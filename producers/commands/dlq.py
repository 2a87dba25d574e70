"""``shopify-sync dlq``: look at, export, replay and purge dead letters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from producers.commands.common import EXIT_FAILED, app_settings, echo_json, fail, redis_state
from producers.mapping import Mapping, MappingError
from producers.pipeline import RecordPipeline
from producers.replay import plan as replay_plan
from producers.replay import replay as replay_records
from settings import AppSettings
from worker.contract.deadletters import DeadLetter, DeadLetterStore, dump_jsonl

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


@app.command("replay")
def replay_(
    shop: Annotated[str | None, typer.Option(help="Only this shop.")] = None,
    sync: Annotated[str | None, typer.Option(help="Only this sync id.")] = None,
    resource: Annotated[str | None, typer.Option(help="Only this resource.")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason category.")] = None,
    entry_id: Annotated[str | None, typer.Option("--id", help="Only this dead letter.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="A corrected mapping: re-map the source rows.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
) -> None:
    """Re-validate dead letters and enqueue them again; an entry is removed once its record is queued."""
    settings = app_settings()
    if settings.embedded:
        fail("replay needs SHOPIFY_SYNC_REDIS_URL (embedded runs keep dead letters only in their files)")
    try:
        corrected = Mapping.load(mapping) if mapping else None
    except (MappingError, OSError) as exc:
        fail(str(exc))
    with redis_state(settings) as (client, keys):
        store = DeadLetterStore(client, keys)
        entries = [
            e
            for e in store.iter(shop=shop, sync_id=sync, resource=resource, category=reason)
            if entry_id is None or e.id == entry_id
        ]
        plans = replay_plan(entries, corrected)
        for item in plans:
            verdict = (
                "replay" if item.record else f"still fails: {item.problem.message if item.problem else '?'}"
            )
            typer.echo(f"{item.entry.id}  {verdict}")
        if dry_run:
            typer.echo(
                f"dry run: {sum(1 for p in plans if p.record)} of {len(plans)} would be replayed", err=True
            )
            return
        result = replay_records(plans, RecordPipeline(client, keys, batch_size=settings.batch_size))
    typer.echo(f"{len(result.enqueued)} replayed, {len(result.still_failing)} still failing", err=True)
    if result.still_failing:
        raise typer.Exit(EXIT_FAILED)


@app.command("export")
def export(
    shop: Annotated[str | None, typer.Option(help="Only this shop.")] = None,
    sync: Annotated[str | None, typer.Option(help="Only this sync id.")] = None,
    resource: Annotated[str | None, typer.Option(help="Only this resource.")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason category.")] = None,
) -> None:
    """Print dead letters as JSON lines (source row, payload, reason, attempts, times)."""
    settings = app_settings()
    for line in dump_jsonl(_entries(settings, shop=shop, sync_id=sync, resource=resource, category=reason)):
        typer.echo(line)


@app.command("purge")
def purge(
    shop: Annotated[str | None, typer.Option(help="Only this shop.")] = None,
    sync: Annotated[str | None, typer.Option(help="Only this sync id.")] = None,
    resource: Annotated[str | None, typer.Option(help="Only this resource.")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason category.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Really delete them.")] = False,
) -> None:
    """Delete dead letters (export them first); without --yes, only count them."""
    settings = app_settings()
    with redis_state(settings) as (client, keys):
        store = DeadLetterStore(client, keys)
        ids = [e.id for e in store.iter(shop=shop, sync_id=sync, resource=resource, category=reason)]
        if yes:
            for entry_id in ids:
                store.remove(entry_id)
    typer.echo(f"{len(ids)} dead letter(s) {'deleted' if yes else 'would be deleted (add --yes)'}", err=True)
