"""Replaying dead letters: re-validate (optionally re-map from the source rows), re-enqueue, then forget.

An entry is removed only after its record is safely back on the queue; a record that still fails is
left where it is, with the reason it fails now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from producers.mapping import Mapping
from producers.pipeline import InvalidRecord, RecordPipeline, Target
from producers.records import prepare, validated
from worker.contract.deadletters import DeadLetter, Reason
from worker.contract.envelopes import RecordEnvelope
from worker.contract.states import RecordState
from worker.resources import get_resource


@dataclass(frozen=True)
class ReplayPlan:
    """What replaying one entry would do: enqueue ``record``, or nothing because of ``problem``."""

    entry: DeadLetter
    record: RecordEnvelope | None = None
    problem: Reason | None = None


@dataclass
class ReplayResult:
    """Entries enqueued again (and removed), and entries left with the reason they still fail."""

    enqueued: list[str] = field(default_factory=list)
    still_failing: dict[str, Reason] = field(default_factory=dict)


def plan(entries: Iterable[DeadLetter], mapping: Mapping | None = None) -> list[ReplayPlan]:
    """Re-validate each entry: its mapped payload, or, with ``mapping``, its source rows mapped anew."""
    plans = []
    for entry in entries:
        resource = get_resource(entry.resource)
        if mapping is None:
            checked = validated(RecordEnvelope(entry.record_key, entry.payload, entry.source), resource)
            if isinstance(checked, InvalidRecord):
                plans.append(ReplayPlan(entry, problem=checked.reason))
            else:
                plans.append(ReplayPlan(entry, record=checked))
            continue
        grouped = entry.source.get("rows")
        rows: list[dict[str, Any]] = grouped if isinstance(grouped, list) else [entry.source]
        items = list(prepare(enumerate(rows, start=1), mapping, resource))
        if len(items) != 1:
            reason = Reason(
                category="mapping", message=f"the source rows now make {len(items)} records, not 1"
            )
            plans.append(ReplayPlan(entry, problem=reason))
        elif isinstance(items[0], InvalidRecord):
            plans.append(ReplayPlan(entry, problem=items[0].reason))
        else:
            record = RecordEnvelope(key=entry.record_key, payload=items[0].payload, source=entry.source)
            plans.append(ReplayPlan(entry, record=record))
    return plans


def replay(plans: list[ReplayPlan], pipeline: RecordPipeline) -> ReplayResult:
    """Publish the replayable records per (shop, sync, resource); entries go once their batch is queued.

    The records are counted in their sync already: each goes back to ``retrying`` there, not into the total.
    """
    result = ReplayResult()
    groups: dict[Target, dict[str, ReplayPlan]] = {}
    for item in plans:
        if item.record is None:
            result.still_failing[item.entry.id] = item.problem or Reason(category="unknown", message="?")
        else:
            target = Target(item.entry.shop, item.entry.resource, item.entry.sync_id)
            groups.setdefault(target, {})[item.record.key] = item
    for target, members in groups.items():

        def requeued(
            batch: list[RecordEnvelope], target: Target = target, members: dict[str, Any] = members
        ) -> None:
            for record in batch:
                entry = members[record.key].entry
                pipeline.tracker.mark(target.sync_id, entry.record_key, RecordState.RETRYING, replayed=True)
                pipeline.dead_letters.remove(entry.id)
                result.enqueued.append(entry.id)

        records = [m.record for m in members.values() if m.record is not None]
        pipeline.submit(target, records, counted=False, after_batch=requeued)
    return result
