"""A bulk task's records into jobs: checked, turned into JSONL lines, split to Shopify's file size.

Records already synced are skipped, invalid ones dead-lettered (as per request), records that may not
go in a file (a customer with nothing to upsert it by) sent to the per-request path first; then the
jobs and their lines are stored in one transaction, under the task's id, so a redelivered task finds
them and creates nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from worker.bulk.adapters import BulkAdapter
from worker.bulk.documents import inner_mutation
from worker.bulk.jobs import BulkJob, BulkJobStore
from worker.contract.envelopes import RecordEnvelope
from worker.contract.recorder import OutcomeRecorder
from worker.errors import UserErrorsError
from worker.lookups import LookupCache
from worker.resources import RecordInvalidError, Resource
from worker.resources.base import Send, WriteContext
from worker.writer.settle import failure_reason

Line = tuple[RecordEnvelope, str]


@dataclass
class Preparer:
    """Builds the jobs of one bulk task."""

    shop: str
    sync_id: str
    resource: Resource  # type: ignore[type-arg]
    adapter: BulkAdapter
    recorder: OutcomeRecorder
    store: BulkJobStore
    send: Send
    send_back: Callable[[list[RecordEnvelope]], None]
    max_file_bytes: int
    lookups: LookupCache | None = None

    async def jobs(self, task_id: str, records: list[RecordEnvelope]) -> list[str]:
        """The task's job ids: the stored ones when the task ran before, else new ones."""
        known = self.store.parts(task_id)
        if known:
            return known
        done = self.recorder.synced_among(records)
        eligible: list[tuple[RecordEnvelope, Any]] = []
        per_request: list[tuple[RecordEnvelope, Any]] = []
        for record in records:
            if record.key in done:
                continue
            try:
                model = self.resource.validate(record.payload)
            except RecordInvalidError as exc:
                self.recorder.dead_letter(record, exc.reason())
                continue
            (eligible if self.adapter.eligible(model) else per_request).append((record, model))
        ctx = WriteContext(
            shop=self.shop,
            sync_id=self.sync_id,
            record_keys=tuple(r.key for r, _ in eligible),
            idempotency_key=f"bulk-{task_id}",
            lookups=self.lookups,
        )
        variables = await self.adapter.variables([m for _, m in eligible], self.send, ctx) if eligible else []
        lines: list[Line] = []
        for (record, _), value in zip(eligible, variables, strict=True):
            if isinstance(value, UserErrorsError):
                self.recorder.dead_letter(record, failure_reason(value))
            else:
                lines.append((record, json.dumps(value, separators=(",", ":"))))
        if per_request:
            self.send_back([r for r, _ in per_request])
        jobs = [
            (self._job(f"{task_id}-{n}", len(part)), part)
            for n, part in enumerate(split_by_size(lines, self.max_file_bytes))
        ]
        if jobs:
            self.store.create(task_id, jobs)
        return [job.job_id for job, _ in jobs]

    def _job(self, job_id: str, lines: int) -> BulkJob:
        return BulkJob(
            job_id=job_id,
            shop=self.shop,
            sync_id=self.sync_id,
            resource=self.resource.name,
            lines=lines,
            mutation=inner_mutation(self.adapter.mutation, job_id),
        )


def split_by_size(lines: list[Line], max_bytes: int) -> list[list[Line]]:
    """Consecutive parts whose JSONL (each line and its newline) stays within ``max_bytes``."""
    parts: list[list[Line]] = []
    size = 0
    for line in lines:
        length = len(line[1].encode()) + 1
        if not parts or size + length > max_bytes:
            parts.append([])
            size = 0
        parts[-1].append(line)
        size += length
    return parts
