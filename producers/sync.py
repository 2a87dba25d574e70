"""Run a sync: read rows, map and validate them, enqueue per-shop batches, follow them to the end."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from kombu import Producer

from producers.mapping import Mapping
from producers.records import InvalidRecord, prepare
from producers.report import ResourceReport, SyncReport
from worker.app import celery_app
from worker.deadletters import DeadLetterStore, dump_jsonl
from worker.keys import Keys
from worker.pauses import ShopPauses
from worker.recorder import OutcomeRecorder
from worker.records import RecordEnvelope
from worker.resources import get_resource
from worker.tasks import enqueue_batch
from worker.tracking import SyncCounts, SyncTracker

ProgressCallback = Callable[[SyncCounts], None]


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


class SyncRunner:
    """Producer side of a sync, over one Redis (real, or fakeredis in embedded mode)."""

    def __init__(self, client: redis.Redis, keys: Keys, *, batch_size: int) -> None:
        self.tracker = SyncTracker(client, keys)
        self.dead_letters = DeadLetterStore(client, keys)
        self.pauses = ShopPauses(client, keys)
        self._batch_size = batch_size

    def enqueue(self, job: SyncJob) -> int:
        """Map, validate and enqueue every row; invalid rows are dead-lettered here. Returns the row count."""
        resource = get_resource(job.resource)
        total = 0
        batch: list[RecordEnvelope] = []
        invalid: list[InvalidRecord] = []

        recorder = OutcomeRecorder(
            self.tracker, self.dead_letters, shop=job.shop, sync_id=job.sync_id, resource=job.resource
        )

        def flush(producer: Producer) -> None:
            if not batch and not invalid:
                return
            self.tracker.start(
                job.sync_id, shop=job.shop, resource=job.resource, total=len(batch) + len(invalid)
            )
            for bad in invalid:
                recorder.dead_letter(bad.record, bad.reason)
            if batch:
                records = [r.to_dict() for r in batch]
                enqueue_batch(job.shop, job.sync_id, job.resource, records, producer=producer)
            batch.clear()
            invalid.clear()

        with celery_app.producer_or_acquire() as producer:
            for item in prepare(job.rows, job.mapping, resource, primary_key=job.primary_key):
                total += 1
                if isinstance(item, InvalidRecord):
                    invalid.append(item)
                else:
                    batch.append(item)
                if len(batch) >= self._batch_size or len(invalid) >= self._batch_size:
                    flush(producer)
            flush(producer)
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
        deadline = time.monotonic() + timeout_s
        while True:
            counts = self.tracker.counts(sync_id)
            if on_progress:
                on_progress(counts)
            if counts.finished or time.monotonic() >= deadline:
                return counts
            time.sleep(poll_s)

    def report(
        self, jobs: list[SyncJob], *, report_id: str, mode: str, started: float, output_dir: Path | None
    ) -> SyncReport:
        """One report for the jobs of a run, with a breakdown per resource.

        With ``output_dir``, the report and the run's dead letters are also written there.
        """
        report = SyncReport(sync_id=report_id, shop=", ".join(dict.fromkeys(j.shop for j in jobs)), mode=mode)
        for job in jobs:
            report.resources[job.resource] = ResourceReport.from_counts(self.tracker.counts(job.sync_id))
            pause = self.pauses.reason(job.shop)
            if pause:
                report.paused_shops[job.shop] = f"{pause['category']}: {pause['message']}"
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
