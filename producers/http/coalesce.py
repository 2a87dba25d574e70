"""Records of concurrent requests gathered into one submission per shop, resource and sync.

Multiwoven's HTTP destination posts one record per request, from up to 10 threads. Submitted one by one,
each record would become a task of its own, and the worker could not pack records into shared requests.
The coalescer holds a request's records for ``linger_s`` (or until a batch is full), then takes in the
records of every request gathered for the same target at once: one ``RecordPipeline.submit`` (intake and
publish) for requests answered once settled, or one intake and a ``Staging`` list for requests answered
once queued (``producers.http.staging`` packs those into full batches). Each request gets back the part
of the submission that is its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from producers.http.staging import Staging
from producers.pipeline import RecordPipeline, Submission, Target, Validate
from worker.contract.envelopes import RecordEnvelope


@dataclass
class _Waiting:
    records: list[RecordEnvelope]
    answer: asyncio.Future[Submission]


@dataclass
class _Group:
    waiting: list[_Waiting] = field(default_factory=list)
    size: int = 0
    timer: asyncio.TimerHandle | None = None


class Coalescer:
    """Gathers records per target and submits them together.

    Parameters:
        pipeline: Where the records go (intake and publish).
        validator: The validation of a resource's records.
        staging: Where records answered once queued wait to be enqueued in full batches.
        batch_size: A gathered group this large is submitted at once.
        linger_s: How long the first request of a group answered once settled waits for others, in seconds.
    """

    def __init__(
        self,
        pipeline: RecordPipeline,
        validator: Callable[[str], Validate],
        staging: Staging,
        *,
        batch_size: int,
        linger_s: float,
    ) -> None:
        self._pipeline = pipeline
        self._validator = validator
        self.staging = staging
        self._batch_size = batch_size
        self._linger_s = linger_s
        self._groups: dict[tuple[Target, bool], _Group] = {}
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, target: Target, records: list[RecordEnvelope], *, queued: bool) -> Submission:
        """Take ``records`` in with those of concurrent requests for ``target``; returns this request's part.

        With ``queued``, the accepted records are staged (enqueued in full batches soon after); otherwise
        they are enqueued before this returns.

        Raises:
            Exception: What stopped the shared submission (Redis or the broker away); none of the group's
                records was taken in then (``RecordPipeline.submit`` counts them out again).
        """
        loop = asyncio.get_running_loop()
        group_key = (target, queued)
        group = self._groups.get(group_key)
        if group is None:
            group = self._groups[group_key] = _Group()
            # Staging packs queued records into full batches itself: those groups only gather one tick.
            group.timer = loop.call_later(0.0 if queued else self._linger_s, self._flush, group_key)
        mine = _Waiting(records, loop.create_future())
        group.waiting.append(mine)
        group.size += len(records)
        if group.size >= self._batch_size:
            self._flush(group_key)
        return await asyncio.shield(mine.answer)

    def _flush(self, group_key: tuple[Target, bool]) -> None:
        group = self._groups.pop(group_key, None)
        if group is None:
            return
        if group.timer is not None:
            group.timer.cancel()
        task = asyncio.ensure_future(self._submit(*group_key, group.waiting))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def _take(self, target: Target, records: list[RecordEnvelope], queued: bool) -> Submission:
        validate = self._validator(target.resource)
        if not queued:
            return self._pipeline.submit(target, records, validate=validate, dedupe=True)
        submission = self._pipeline.intake.admit(target, records, validate=validate, dedupe=True)
        try:
            self.staging.stage(target, submission)
        except Exception:
            self._pipeline.intake.withdraw(target, submission.accepted, dedupe=True)
            raise
        return submission

    async def _submit(self, target: Target, queued: bool, waiting: list[_Waiting]) -> None:
        records = [record for request in waiting for record in request.records]
        try:
            submission = await asyncio.to_thread(self._take, target, records, queued)
        except Exception as exc:
            for request in waiting:
                if not request.answer.done():
                    request.answer.set_exception(exc)
            return
        for request in waiting:
            if not request.answer.done():
                request.answer.set_result(share(submission, request.records))

    async def drain(self) -> None:
        """Submit every group now and wait for the submissions (the server is stopping)."""
        for group_key in list(self._groups):
            self._flush(group_key)
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


def share(submission: Submission, records: list[RecordEnvelope]) -> Submission:
    """The part of a shared ``submission`` that concerns ``records`` (by record key)."""
    keys = {record.key for record in records}
    return Submission(
        accepted=[r for r in submission.accepted if r.key in keys],
        invalid=[bad for bad in submission.invalid if bad.record.key in keys],
        duplicates=[key for key in submission.duplicates if key in keys],
    )
