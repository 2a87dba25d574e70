"""``shopify-sync mapping check``: validate a mapping before a sync, and dry-run it on sample rows."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer

from producers.commands.common import EXIT_USAGE, fail
from producers.mapping import Mapping, MappingError
from producers.pipeline import InvalidRecord
from producers.readers import InputError, read_rows
from producers.records import prepare
from producers.targets import check_target
from worker.contract.recorder import SUPERSEDED
from worker.resources import RESOURCES, get_resource

app = typer.Typer(help="Check Multiwoven field mappings against a resource.", no_args_is_help=True)


@app.command("check")
def check(
    resource: Annotated[str, typer.Option(help=f"One of: {', '.join(RESOURCES)}.")],
    mapping: Annotated[Path, typer.Option(help="Multiwoven field mapping (JSON, v1 or v2).")],
    input: Annotated[
        Path | None, typer.Option("--input", help="Sample rows: print their mapped payloads.")
    ] = None,
    rows: Annotated[int, typer.Option(help="How many sample rows to map.")] = 5,
    primary_key: Annotated[
        str | None, typer.Option(help="Source column identifying a row (as for sync): the records' keys.")
    ] = None,
) -> None:
    """Every target field must exist on the resource; with --input, map the first rows (writes nothing)."""
    try:
        target = get_resource(resource)
        parsed = Mapping.load(mapping)
    except (ValueError, OSError) as exc:
        fail(str(exc))
    problems = [p for p in (check_target(target.model, path) for path in parsed.targets) if p]
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    if problems:
        raise typer.Exit(EXIT_USAGE)
    typer.echo(f"{mapping}: {len(parsed.targets)} target field(s), all valid for {resource}", err=True)
    if input is None:
        return
    try:
        for item in islice(prepare(read_rows(input), parsed, target, primary_key=primary_key), rows):
            out: dict[str, object]
            if isinstance(item, InvalidRecord) and item.reason.code == SUPERSEDED:
                out = {"key": item.record.key, "superseded": item.reason.message}
            elif isinstance(item, InvalidRecord):
                out = {"key": item.record.key, "invalid": item.reason.model_dump(exclude_none=True)}
            else:
                out = {"key": item.key, "payload": item.payload}
            typer.echo(json.dumps(out, ensure_ascii=False, default=str))
    except (InputError, MappingError) as exc:
        fail(str(exc))
