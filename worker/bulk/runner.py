"""Moves a bulk job one step at a time, recording each step in Redis before taking it.

``advance`` uploads the file, asks for the operation, follows it for at most ``budget_s``, and, once it
has finished, settles its lines. It returns ``Step(done=False, delay_s)`` when the job needs another
look later (still running, or the shop already runs its maximum of bulk operations): the task then
hands it to a new task after that delay, so no worker slot is held for the hours a big file may take.

Crash safety: the state is written before each step. A job found ``submitting`` with a request already
sent looks for its operation among the shop's recent ones (by the job's mark in the mutation's name)
before asking again, so the same file is never submitted twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from worker.bulk.api import BulkApi, BulkRefusedError, OperationStatus
from worker.bulk.documents import marker
from worker.bulk.jobs import BulkJob, BulkJobStore, JobState
from worker.bulk.settle import JobSettler
from worker.errors import ShopifyError

log = logging.getLogger(__name__)

IN_PROGRESS_WAIT_S = 10.0  # the shop runs its maximum of bulk operations: look again after this long


@dataclass(frozen=True)
class Step:
    """Where ``advance`` left a job: done, or to look at again after ``delay_s``."""

    done: bool
    delay_s: float = 0.0


@dataclass
class JobRunner:
    """Advances the jobs of one shop.

    Parameters:
        api: The shop's bulk calls.
        store: Where jobs live.
        settler: Settles a finished job's lines.
        poll_s: Seconds between two looks at a running operation.
        budget_s: How long one ``advance`` follows an operation before handing it on.
        clock: Injectable for tests.
        sleep: Injectable for tests.
    """

    api: BulkApi
    store: BulkJobStore
    settler: JobSettler
    poll_s: float
    budget_s: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep

    async def advance(self, job: BulkJob) -> Step:
        """Take the job as far as it goes within the budget."""
        deadline = self.clock() + self.budget_s
        if job.state is JobState.SETTLED:
            return Step(done=True)
        if job.state is JobState.PREPARED:
            lines = self.store.lines(job.job_id)
            content = "".join(lines[n][1] + "\n" for n in sorted(lines)).encode()
            job.staged_path = await self.api.stage(content, f"{job.job_id}.jsonl")
            job.state = JobState.SUBMITTING
            self.store.save(job)
        if job.state is JobState.SUBMITTING:
            waiting = await self._submit(job)
            if waiting is not None:
                return waiting
        while True:
            status = await self.api.status(job.operation_id)
            if status.finished:
                break
            if self.clock() + self.poll_s > deadline:
                return Step(done=False, delay_s=self.poll_s)
            await self.sleep(self.poll_s)
        await self._settle(job, status)
        return Step(done=True)

    async def _submit(self, job: BulkJob) -> Step | None:
        """Ask for the operation (or find the one asked for before a crash); a Step when not started."""
        found = await self.api.find(marker(job.job_id)) if job.submit_asked_at else None
        if found is None:
            job.submit_asked_at = time.time()
            self.store.save(job)
            try:
                found = await self.api.submit(job.mutation, job.staged_path, client_identifier(job))
            except BulkRefusedError as refused:
                return await self._refused(job, refused)
        job.operation_id = found
        job.state = JobState.RUNNING
        self.store.save(job)
        log.info("bulk operation %s started for job %s (%d lines)", found, job.job_id, job.lines,
                 extra={"shop": job.shop, "sync_id": job.sync_id})  # fmt: skip
        return None

    async def _refused(self, job: BulkJob, refused: BulkRefusedError) -> Step:
        job.submit_asked_at = 0.0  # no operation was created: nothing to look for next time
        if refused.code == "OPERATION_IN_PROGRESS":
            self.store.save(job)
            return Step(done=False, delay_s=IN_PROGRESS_WAIT_S)
        if refused.code == "NO_SUCH_FILE":  # the staged file expired (24 h): upload it again
            job.state = JobState.PREPARED
            self.store.save(job)
            return Step(done=False, delay_s=self.poll_s)
        log.warning("bulk operation refused for job %s (%s); its records go per request", job.job_id, refused,
                    extra={"shop": job.shop, "sync_id": job.sync_id})  # fmt: skip
        await self.give_up(job)
        return Step(done=True)

    async def _settle(self, job: BulkJob, status: OperationStatus) -> None:
        url = status.url if status.status == "COMPLETED" else status.partial_url
        results = await self.api.results(url) if url else None
        if status.status != "COMPLETED" or results is None:
            log.warning(
                "bulk operation %s ended %s (%s), result file %s: lines without a result go per request",
                status.id, status.status, status.error_code, "read" if results is not None else "missing",
                extra={"shop": job.shop, "sync_id": job.sync_id},
            )  # fmt: skip
        settled = await self.settler.settle(self.store.lines(job.job_id), results, job.operation_id)
        job.state = JobState.SETTLED
        self.store.save(job)
        log.info("bulk job %s settled: %d synced, %d dead-lettered, %d sent per request", job.job_id,
                 settled.synced, settled.dead_lettered, settled.sent_back,
                 extra={"shop": job.shop, "sync_id": job.sync_id})  # fmt: skip

    async def give_up(self, job: BulkJob) -> None:
        """The job cannot go on in bulk: every line's record goes to the per-request path.

        A running operation is cancelled first; lines it ran meanwhile are written again per request
        (every bulk mutation here is an upsert or carries its idempotency key).
        """
        if job.state is JobState.RUNNING and job.operation_id:
            try:
                await self.api.cancel(job.operation_id)
            except ShopifyError as err:
                log.warning("could not cancel bulk operation %s: %s", job.operation_id, err)
        await self.settler.settle(self.store.lines(job.job_id), None, job.operation_id)
        job.state = JobState.SETTLED
        self.store.save(job)


def client_identifier(job: BulkJob) -> str:
    """Shopify's ``clientIdentifier`` (10-255 characters)."""
    return f"shopify-sync:{job.job_id}"[:255]
