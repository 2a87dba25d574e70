"""The state a batch task ends in, as Flower shows it: what happened to its records, not only that it ran.

A batch task settles every record itself (dead letters, held records, deferred retries), so it returns
normally even when none of its records was written, and Celery would call it a success. Here the task's
last event says what happened instead, in Celery's own states, so Flower's filters find it:

- ``FAILURE``: records were dead-lettered or held (their shop is paused). The exception names the kind:
  ``ShopFailed`` when every record failed for one shop-level cause (auth, shop unavailable, network),
  ``ShopPaused`` when some were held, ``RecordsDeadLettered`` otherwise, with counts and leading reasons.
- ``RETRY``: attempts failed and were retried, or records were deferred to a later task.
- ``SUCCESS``: everything written, skipped as already written, or booked to start later.

The event carries the counts as the task's result. The task then raises Celery's ``Ignore``: its message
is acknowledged and no ``task-succeeded`` event overrides the state. Both texts are built from
categories, field names and Shopify's messages, never from record values (``taskview.shown_text``).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from celery import Task
from celery.exceptions import Ignore

from worker.contract.taskview import iso_time, records_count, shown_text
from worker.observability import scrub
from worker.writer.outcome import BatchOutcome

log = logging.getLogger(__name__)

SHOP_LEVEL = frozenset({"invalid_token", "missing_scope", "credentials", "shop_unavailable", "network_error"})
LEADING_REASONS = 3


@dataclass(frozen=True)
class TaskState:
    """How a batch task ends: Celery's state, the headline Flower shows as its exception, the result."""

    state: str
    headline: str
    result: dict[str, Any]


def _leading(counts: Counter[str]) -> dict[str, int]:
    return dict(counts.most_common(LEADING_REASONS))


def _listed(counts: Counter[str]) -> str:
    return "; ".join(f"{label} ({n})" for label, n in counts.most_common(LEADING_REASONS))


def task_state(outcome: BatchOutcome, records: int) -> TaskState:
    """The state of a task that handled ``records`` records with this ``outcome``."""
    result: dict[str, Any] = {"records": records, **outcome.summary()}
    if outcome.not_before is not None and outcome.deferred:
        # Admission postponed the batch: its records wait for their turn, none failed.
        result.update(deferred=0, booked=len(outcome.deferred), starts_at=iso_time(outcome.not_before))
    if outcome.reasons:
        result["reasons"] = _leading(outcome.reasons)
    if outcome.retry_causes:
        result["retried_for"] = _leading(outcome.retry_causes)
    if result["held"]:
        result["held_for"] = _leading(outcome.held_causes)
    failed = result["dead_lettered"] + result["held"]
    if failed:
        causes = outcome.causes + outcome.held_causes
        only = next(iter(causes)) if len(causes) == 1 else None
        written = result["synced"] + result["already_synced"] + result["superseded"]
        if only in SHOP_LEVEL and not written and not outcome.deferred:
            kind, what = "ShopFailed", f"{only}: {failed} of {records_count(records)} failed"
        elif result["held"]:
            kind = "ShopPaused"
            what = f"{_listed(outcome.held_causes)}: {result['held']} of {records_count(records)} held"
        else:
            kind = "RecordsDeadLettered"
            what = f"{result['dead_lettered']} of {records_count(records)} dead-lettered"
        detail = f"; {_listed(outcome.reasons)}" if outcome.reasons else ""
        return TaskState("FAILURE", shown_text(f"{kind}: {what}{detail}", 400), result)
    if outcome.retries or result["deferred"]:
        text = f"RecordsRetried: {outcome.retries} failed attempt(s) retried"
        if outcome.retry_causes:
            text += f" ({_listed(outcome.retry_causes)})"
        if result["deferred"]:
            text += f"; {records_count(result['deferred'])} deferred to a later task"
        return TaskState("RETRY", shown_text(text, 400), result)
    return TaskState("SUCCESS", "", result)


def finish(task: Task[Any, Any], state: TaskState, runtime_s: float) -> dict[str, Any]:
    """Return the result of a successful task; otherwise announce ``state`` and end the task with it.

    Raises:
        Ignore: When the state is not ``SUCCESS``, after its event was sent (the message is acknowledged).
    """
    if state.state == "SUCCESS":
        return state.result
    log.info("batch ended %s: %s", state.state, state.headline, extra={"outcome": state.state.lower()})
    event = "task-failed" if state.state == "FAILURE" else "task-retried"
    try:
        task.send_event(
            event,
            retry=False,
            exception=scrub(state.headline),
            result=repr(state.result),
            runtime=round(runtime_s, 4),
        )
    except Exception as exc:  # a monitoring event is worth no more than a warning
        log.warning("could not send the %s event: %s", event, type(exc).__name__)
    raise Ignore()
