"""Run a sync: read rows, map and validate them, enqueue per-shop batches, follow them to the end."""

from __future__ import annotations

import gc
import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import redis

from producers.mapping import Mapping
from producers.pipeline import BulkRouting, Checked, ProgressCallback, RecordPipeline, Target
from producers.records import prepare
from producers.report import ResourceReport, SyncReport
from worker.contract.broker import celery_app
from worker.contract.deadletters import DeadLetterStore, dump_jsonl
from worker.contract.enqueue import Enqueue, enqueue_batch
from worker.contract.keys import Keys
from worker.contract.tracking import SyncCounts
from worker.resources import get_resource

log = logging.getLogger(__name__)

# Records are added to their sync's count this many batches at a time: one round trip instead of ten.
BATCHES_PER_COUNT = 10


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run Python's cycle collector rarely, and over new objects only, while rows are mapped and enqueued.

    Mapping allocates a few dicts per row, none of them in a reference cycle, yet every few hundred
    allocations the collector scans the young objects, and now and then every object of the process
    (modules, the Celery app): about a fifth of a producer's time. Objects that existed before are left
    out of its scans (``gc.freeze``) and it runs after 50,000 allocations instead of 700.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def new_sync_id() -> str:
    """A sortable, unique sync id."""
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class SyncJob:
    """What to sync: rows of one resource into one shop."""

    shop: str
    resource: str
    mapping: Mapping
    rows: Iterable[tuple[int, dict[str, Any]]]
    sync_id: str
    primary_key: str | None = None
    bulk: bool | None = None  # True: through bulk operations; False: per request; None: by threshold


class SyncRunner:
    """Producer side of a sync: rows mapped and validated, then through the record pipeline."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        batch_size: int,
        recover_lost: bool = False,
        mapping_processes: int = 0,
        enqueue: Enqueue | None = None,
        bulk: BulkRouting | None = None,
    ) -> None:
        """Producer state over ``client``.

        With ``recover_lost`` (a Redis broker, and producers that wait for their syncs), ``wait`` sends
        again the records of a task the broker lost. With ``mapping_processes``, rows are mapped and
        validated in that many forked processes. ``enqueue`` replaces the Celery publish (tests).
        ``bulk`` sets when records go through bulk operations (``SHOPIFY_SYNC_BULK_*``).
        """
        self.pipeline = RecordPipeline(
            client,
            keys,
            batch_size=batch_size,
            enqueue=enqueue or enqueue_batch,
            recover_lost=recover_lost,
            bulk=bulk,
        )
        self.tracker = self.pipeline.tracker
        self.dead_letters = self.pipeline.dead_letters
        self.pauses = self.pipeline.pauses
        self._batch_size = batch_size
        self._enqueue = enqueue
        self._mapping_processes = mapping_processes

    def enqueue(self, job: SyncJob) -> int:
        """Map, validate and enqueue every row; invalid rows are dead-lettered here. Returns the row count."""
        target = Target(job.shop, job.resource, job.sync_id)
        total = 0
        chunk: list[Checked] = []
        with fewer_collections(), celery_app.producer_or_acquire() as producer:
            send = self._enqueue or partial(enqueue_batch, producer=producer)
            model, key, processes = get_resource(job.resource), job.primary_key, self._mapping_processes
            # A sync that asks for bulk hands over whole files; otherwise ten batches at a time.
            size = (
                self.pipeline.bulk.records_per_operation if job.bulk else self._batch_size * BATCHES_PER_COUNT
            )
            for item in prepare(job.rows, job.mapping, model, primary_key=key, processes=processes):
                total += 1
                chunk.append(item)
                if len(chunk) >= size:
                    self.pipeline.submit(target, chunk, enqueue=send, bulk=job.bulk)
                    chunk.clear()
            if chunk:
                self.pipeline.submit(target, chunk, enqueue=send, bulk=job.bulk)
        return total

    def wait(
        self,
        sync_id: str,
        *,
        timeout_s: float,
        on_progress: ProgressCallback | None = None,
        poll_s: float = 0.2,
    ) -> SyncCounts:
        """Follow a sync until every record is settled (or held by a paused shop), or until the timeout."""
        return self.pipeline.wait(sync_id, timeout_s=timeout_s, on_progress=on_progress, poll_s=poll_s).counts

    def report(
        self, jobs: list[SyncJob], *, report_id: str, mode: str, started: float, output_dir: Path | None
    ) -> SyncReport:
        """One report for the jobs of a run, with a breakdown per resource.

        With ``output_dir``, the report and the run's dead letters are also written there.
        """
        report = SyncReport(sync_id=report_id, shop=", ".join(dict.fromkeys(j.shop for j in jobs)), mode=mode)
        for job in jobs:
            report.resources[job.resource] = ResourceReport.from_counts(self.tracker.counts(job.sync_id))
            pause = self.pauses.summary(job.shop, job.resource)
            if pause:
                report.paused_shops[job.shop] = pause
        report.duration_s = time.monotonic() - started
        if output_dir is not None:
            write_outputs(report, [j.sync_id for j in jobs], self.dead_letters, output_dir)
        return report


def write_outputs(
    report: SyncReport, sync_ids: list[str], dead_letters: DeadLetterStore, output_dir: Path
) -> None:
    """Write ``report.json`` and the syncs' ``dead_letters.jsonl`` under ``output_dir/<report id>/``."""
    folder = output_dir / report.sync_id
    folder.mkdir(parents=True, exist_ok=True)
    dlq_path = folder / "dead_letters.jsonl"
    with dlq_path.open("w", encoding="utf-8") as out:
        for sync_id in sync_ids:
            for line in dump_jsonl(dead_letters.iter(sync_id=sync_id)):
                out.write(line + "\n")
    report.files = {"report": str(folder / "report.json"), "dead letters": str(dlq_path)}
    report.write(folder / "report.json")
