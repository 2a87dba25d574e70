"""``sync``, ``status``, ``demo`` and ``worker``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from producers.commands.common import (
    EXIT_FAILED,
    app_settings,
    echo_json,
    fail,
    quiet_record_logs,
    redis_state,
    shops_config,
)
from producers.demo import run_demo
from producers.mapping import Mapping, MappingError
from producers.readers import InputError, read_rows
from producers.running import SyncIdInUseError, run_sync
from producers.sync import SyncJob, new_sync_id
from producers.sync_status import render_text, sync_status
from worker.contract.broker import queue_for
from worker.contract.tracking import SyncTracker
from worker.resources import RESOURCES


def sync(
    shops: Annotated[Path, typer.Option(help="The shops file (TOML).")],
    shop: Annotated[str, typer.Option(help="The shop to write to, as named in the shops file.")],
    resource: Annotated[str, typer.Option(help=f"One of: {', '.join(RESOURCES)}.")],
    mapping: Annotated[Path, typer.Option(help="Multiwoven field mapping (JSON, v1 or v2).")],
    input: Annotated[Path, typer.Option("--input", help="Rows to sync: .jsonl, .json or .csv.")],
    primary_key: Annotated[str | None, typer.Option(help="Source column that identifies a row.")] = None,
    sync_id: Annotated[str | None, typer.Option(help="Sync id (default: a new one).")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the workers.")] = 3600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as one JSON object.")] = False,
    bulk: Annotated[
        bool | None,
        typer.Option(
            "--bulk/--no-bulk",
            help="Write through Shopify bulk operations (products, customers, inventory), or never; "
            "default: when SHOPIFY_SYNC_BULK_THRESHOLD_RECORDS records wait for the shop.",
        ),
    ] = None,
) -> None:
    """Map, validate and enqueue rows, follow them to the end, and print the report.

    Exits 1 when any record was not synced. Without SHOPIFY_SYNC_REDIS_URL it runs embedded (an
    in-process worker and state); with it, separate `shopify-sync worker` processes do the writing.
    """
    settings = app_settings()
    quiet_record_logs()
    if resource not in RESOURCES:
        fail(f"unknown resource {resource!r}; known: {', '.join(RESOURCES)}")
    config = shops_config(shops)
    try:
        shop_name = config.get(shop).shop_name
        job = SyncJob(
            shop=shop_name,
            resource=resource,
            mapping=Mapping.load(mapping),
            rows=read_rows(input),
            sync_id=sync_id or new_sync_id(),
            primary_key=primary_key,
            bulk=bulk,
        )
        report = run_sync(settings, config, job, timeout_s=timeout, show_progress=not as_json)
    except (MappingError, InputError, KeyError, OSError, SyncIdInUseError) as exc:
        fail(str(exc))
    if as_json:
        echo_json(report.to_dict())
    else:
        typer.echo(report.render_text())
    if not report.ok:
        raise typer.Exit(EXIT_FAILED)


def status(
    sync_id: Annotated[str, typer.Argument(help="The sync id printed by `sync`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Counts of a sync: from Redis, or from the report file an embedded run left.

    Failed counts only records that failed (dead-lettered); records still queued or in flight are
    pending, records between attempts retrying.
    """
    settings = app_settings()
    if settings.embedded:
        report_file = settings.output_dir / sync_id / "report.json"
        if not report_file.exists():
            fail(f"no report at {report_file} (embedded mode keeps state only in its output files)")
        data = json.loads(report_file.read_text(encoding="utf-8"))
    else:
        with redis_state(settings) as (client, keys):
            found = sync_status(SyncTracker(client, keys), sync_id)
        if found is None:
            fail(f"unknown sync {sync_id!r}")
        data = found
    if as_json:
        echo_json(data)
    else:
        typer.echo(render_text(data))


def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as one JSON object.")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes to start in Redis mode.")] = 2,
) -> None:
    """Start a local Shopify simulator and a worker, sync the bundled samples of all four resources."""
    settings = app_settings("demo")
    quiet_record_logs()
    report = run_demo(settings, show_progress=not as_json, worker_processes=workers)
    if as_json:
        echo_json(report.to_dict())
    else:
        typer.echo(report.render_text())


def worker(
    ctx: typer.Context,
    concurrency: Annotated[int, typer.Option(help="Worker processes.")] = 2,
) -> None:
    """Run a Celery worker that consumes the queues of every shop in SHOPIFY_SYNC_SHOPS_FILE.

    Extra arguments are passed to `celery worker`.
    """
    settings = app_settings("worker")
    if settings.embedded:
        fail("a separate worker needs SHOPIFY_SYNC_REDIS_URL (embedded runs start their own)")
    config = shops_config(settings.shops_file)
    from worker.app import app  # the worker itself: its signals, tasks and runtime

    queues = ",".join(queue_for(name) for name in config.names())
    app.worker_main(
        ["worker", "-Q", queues, "-c", str(concurrency), "-E", "-l", settings.log_level, *ctx.args]
    )
