"""Run a sync: read rows, map and validate them, enqueue per-shop batches, follow them to the end."""

from __future__ import annotations

import gc
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import redis
from kombu import Producer

from producers.mapping import Mapping
from producers.records import InvalidRecord, prepare
from producers.recovery import LostTaskWatch, SentBatches, unsettled
from producers.report import ResourceReport, SyncReport
from worker.app import celery_app
from worker.deadletters import DeadLetterStore, dump_jsonl
from worker.keys import Keys
from worker.pauses import ShopPauses
from worker.recorder import OutcomeRecorder
from worker.records import RecordEnvelope
from worker.resources import get_resource
from worker.tasks import REDIS_DOWN, enqueue_batch
from worker.tracking import SyncCounts, SyncTracker

log = logging.getLogger(__name__)

ProgressCallback = Callable[[SyncCounts], None]
T = TypeVar("T")
# A producer rides out a Redis restart of up to this long (then the error stops the sync).
REDIS_RETRY_S = 60.0
# Records are added to their sync's count this many batches at a time: one round trip instead of ten.
BATCHES_PER_COUNT = 10


def until_redis_answers(call: Callable[[], T], *, within_s: float = REDIS_RETRY_S) -> T:
    """``call()``, tried again while Redis does not answer (a restart, a failover), for up to ``within_s``.

    Only for steps that may run twice: every step a producer retries is idempotent (outcomes and dead
    letters are keyed by record), except the count of records a sync adds, which a connection lost
    after Redis ran the command but before it answered would count twice.
    """
    deadline = time.monotonic() + within_s
    delay = 0.2
    while True:
        try:
            return call()
        except REDIS_DOWN:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


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


class SyncRunner:
    """Producer side of a sync, over one Redis (real, or fakeredis in embedded mode)."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        batch_size: int,
        recover_lost: bool = False,
        mapping_processes: int = 0,
    ) -> None:
        """Producer state over ``client``.

        With ``recover_lost`` (a Redis broker, and producers that wait for their syncs), ``enqueue`` keeps
        what it sent and ``wait`` sends again the records of a task the broker lost (``producers.recovery``).
        With ``mapping_processes``, rows are mapped and validated in that many forked processes.
        """
        self.tracker = SyncTracker(client, keys)
        self.dead_letters = DeadLetterStore(client, keys)
        self.pauses = ShopPauses(client, keys)
        self._batch_size = batch_size
        self._redis = client
        self._recover_lost = recover_lost
        self._mapping_processes = mapping_processes
        self._sent: dict[str, SentBatches] = {}

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
            count = len(batch) + len(invalid)
            until_redis_answers(
                lambda: self.tracker.start(job.sync_id, shop=job.shop, resource=job.resource, total=count)
            )
            for bad in invalid:
                until_redis_answers(partial(recorder.dead_letter, bad.record, bad.reason))
            for start in range(0, len(batch), self._batch_size):
                records = [r.to_dict() for r in batch[start : start + self._batch_size]]
                until_redis_answers(
                    partial(enqueue_batch, job.shop, job.sync_id, job.resource, records, producer=producer)
                )
                if self._recover_lost:
                    sent = self._sent.setdefault(job.sync_id, SentBatches(job.shop, job.resource))
                    sent.batches.append(records)
            batch.clear()
            invalid.clear()

        with fewer_collections(), celery_app.producer_or_acquire() as producer:
            key, processes = job.primary_key, self._mapping_processes
            for item in prepare(job.rows, job.mapping, resource, primary_key=key, processes=processes):
                total += 1
                if isinstance(item, InvalidRecord):
                    invalid.append(item)
                else:
                    batch.append(item)
                if len(batch) >= self._batch_size * BATCHES_PER_COUNT or len(invalid) >= self._batch_size:
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
        """Follow a sync until every record is settled (or held by a paused shop), or until the timeout.

        With ``recover_lost``, records that no task holds any more are sent again meanwhile.
        """
        deadline = time.monotonic() + timeout_s
        sent = self._sent.pop(sync_id, None)
        watch = LostTaskWatch(self._redis, sent.shop) if sent else None
        while True:
            try:
                counts = self.tracker.counts(sync_id)
            except REDIS_DOWN:  # Redis restarting: keep waiting for it, within the sync's timeout
                if time.monotonic() >= deadline:
                    raise
                time.sleep(poll_s)
                continue
            if on_progress:
                on_progress(counts)
            if counts.finished or time.monotonic() >= deadline:
                return counts
            if sent and watch and watch.lost(counts):
                self._send_again(sync_id, sent)
            time.sleep(poll_s)

    def _send_again(self, sync_id: str, sent: SentBatches) -> None:
        """Enqueue again the records of ``sent`` that are not synced, dead-lettered or held yet."""
        count = 0
        outcomes = until_redis_answers(lambda: self.tracker.outcomes(sync_id))
        for records in sent.batches:
            pending = unsettled(records, outcomes)
            if pending:
                until_redis_answers(partial(enqueue_batch, sent.shop, sync_id, sent.resource, pending))
                count += len(pending)
        log.warning(
            "%d record(s) of sync %s were held by no task (a worker or Redis stopped as the task was taken); "
            "sent them again",
            count,
            sync_id,
        )

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
