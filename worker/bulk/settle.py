"""A finished bulk operation's lines back to their records: synced, dead-lettered, or sent back.

Each result line is read with the resource's own result function (the gid, or the ``userErrors``), so a
record ends exactly as it would on the per-request path; the outcome carries ``path: bulk``. Follow-up
mutations (consent, metafields) run per request after the line succeeded. A line with no result (a
failed, cancelled or expired operation, a partial result file, a lost one) or with a top-level error
goes back to the per-request path, whose policy decides its end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from worker.bulk.adapters import BulkAdapter
from worker.contract.envelopes import RecordEnvelope
from worker.contract.recorder import OutcomeRecorder
from worker.errors import ShopifyError, UserErrorsError
from worker.resources import Resource
from worker.resources.base import Send
from worker.writer.settle import failure_reason

BULK = "bulk"


@dataclass
class Settled:
    """How a job's lines ended."""

    synced: int = 0
    dead_lettered: int = 0
    sent_back: int = 0


@dataclass
class JobSettler:
    """Settles the lines of one job.

    Parameters:
        resource: The records' resource (to validate payloads again for follow-ups).
        adapter: Reads a line's result.
        recorder: Where outcomes go.
        send: Sends follow-up mutations per request, under the shop's bucket.
        send_back: Hands records to the per-request path (``enqueue_batch``).
    """

    resource: Resource  # type: ignore[type-arg]
    adapter: BulkAdapter
    recorder: OutcomeRecorder
    send: Send
    send_back: Callable[[list[RecordEnvelope]], None]

    async def settle(
        self,
        lines: Mapping[int, tuple[RecordEnvelope, str]],
        results: Mapping[int, dict[str, Any]] | None,
        operation_id: str,
    ) -> Settled:
        """Settle every line; ``results`` None: no result file (every record goes back)."""
        done = Settled()
        written: list[tuple[RecordEnvelope, str]] = []
        back: list[RecordEnvelope] = []
        for number in sorted(lines):
            record, line = lines[number]
            entry = (results or {}).get(number)
            outcome = await self._one(record, line, entry) if entry is not None else None
            if outcome is None:
                back.append(record)
            elif isinstance(outcome, UserErrorsError):
                self.recorder.dead_letter(record, failure_reason(outcome).model_copy(update={"path": BULK}))
                done.dead_lettered += 1
            else:
                written.append((record, outcome))
        if written:
            self.recorder.synced(written, operation_id, 0.0, path=BULK)
        if back:
            self.send_back(back)
        done.synced, done.sent_back = len(written), len(back)
        return done

    async def _one(
        self, record: RecordEnvelope, line: str, entry: dict[str, Any]
    ) -> str | UserErrorsError | None:
        """The line's gid, or its userErrors; None to send the record back to the per-request path."""
        data = entry.get("data")
        if entry.get("errors") or not isinstance(data, Mapping):
            return None
        try:
            result = self.adapter.result(data, json.loads(line))
        except ShopifyError:  # neither an object nor userErrors
            return None
        if isinstance(result, UserErrorsError):
            return result
        try:
            model = self.resource.validate(record.payload)
            return await self.adapter.follow_ups(model, result, self.send)
        except ShopifyError:  # a follow-up not answered (throttle, network): the per-request path retries
            return None
