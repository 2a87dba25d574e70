"""What a records request is answered, in each answer mode.

Multiwoven's HTTP destination counts a record as success on 200 or 201 and as failed on anything else,
and never sends an unchanged row again. So in ``settled`` mode a request gets a 2xx only when every one of
its records is in Shopify (or superseded by a later record of the sync); a record that is dead-lettered,
held by a paused shop or still being retried at the deadline is answered with a 4xx or 5xx, and the
worker goes on with the latter two. A record that ends dead-lettered has therefore never had a 2xx.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from producers.pipeline import Submission
from worker.contract.states import RecordState

# The answer for the worst state among a request's records, worst first.
STATUS_BY_STATE: tuple[tuple[str, int], ...] = (
    (RecordState.DEAD_LETTERED, 422),  # Shopify (or validation) refused it: fix the data
    (RecordState.PAUSED, 503),  # the shop is paused (token, plan): held, written after `shops resume`
    (RecordState.RETRYING, 504),  # still being retried at the deadline: the worker goes on
    (RecordState.PENDING, 504),  # not written yet at the deadline: the worker goes on
)
DONE = (RecordState.SYNCED, RecordState.SUPERSEDED)


def queued_answer(submission: Submission) -> tuple[int, dict[str, Any]]:
    """``queued`` mode: 200 once the records are enqueued; 422 when none of them can be written."""
    nothing_taken = submission.invalid and not submission.accepted and not submission.duplicates
    return (422 if nothing_taken else 200), submission.to_dict()


def record_result(key: str, outcome: Mapping[str, Any] | None) -> dict[str, Any]:
    """One record's entry: its state, and its gid or the reason it failed (field, message, code)."""
    state = str((outcome or {}).get("state", RecordState.PENDING))
    entry: dict[str, Any] = {"record": key, "state": state}
    if state == RecordState.SYNCED:
        entry["gid"] = (outcome or {}).get("gid")
    reason = (outcome or {}).get("reason")
    if isinstance(reason, Mapping):
        entry.update({k: reason.get(k) for k in ("category", "field", "message", "code", "gid", "step")})
        entry = {k: v for k, v in entry.items() if v is not None}
    elif isinstance(reason, str):
        entry["message"] = reason
    return entry


def settled_answer(
    submission: Submission, outcomes: Mapping[str, Mapping[str, Any]]
) -> tuple[int, dict[str, Any]]:
    """``settled`` mode: the status and body for a request, from its submission and its records' outcomes.

    Parameters:
        submission: The request's part of the submission (invalid records carry their reason).
        outcomes: The tracker's outcome of each accepted or repeated record, by key.
    """
    results = [
        record_result(bad.record.key, {"state": RecordState.DEAD_LETTERED, "reason": bad.reason.model_dump()})
        for bad in submission.invalid
    ]
    waited = [r.key for r in submission.accepted] + list(submission.duplicates)
    results += [record_result(key, outcomes.get(key)) for key in waited]
    states = {entry["state"] for entry in results}
    status = next((code for state, code in STATUS_BY_STATE if state in states), 200)
    body: dict[str, Any] = {"state": _summary(states), "records": results}
    if len(results) == 1:
        body.update({k: v for k, v in results[0].items() if k != "state"})
    return status, body


def _summary(states: set[str]) -> str:
    for state, _ in STATUS_BY_STATE:
        if state in states:
            return state
    return RecordState.SUPERSEDED if states == {RecordState.SUPERSEDED} else RecordState.SYNCED
