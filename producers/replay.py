"""Replaying dead letters: re-validate (optionally re-map from the source rows), re-enqueue, then forget.

An entry is removed only after its record is safely back on the queue; a record that still fails is
left where it is, with the reason it fails now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from producers.mapping import Mapping
from producers.records import InvalidRecord, prepare, validated
from worker.deadletters import DeadLetter, DeadLetterStore, Reason
from worker.records import RecordEnvelope
from worker.resources import get_resource
from worker.tracking import SyncTracker

Enqueue = Callable[[str, str, str, list[dict[str, Any]]], object]


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


def replay(
    plans: list[ReplayPlan],
    store: DeadLetterStore,
    tracker: SyncTracker,
    enqueue: Enqueue,
    *,
    batch_size: int,
) -> ReplayResult:
    """Enqueue the replayable records in batches per (shop, sync, resource); remove their entries after."""
    result = ReplayResult()
    groups: dict[tuple[str, str, str], list[ReplayPlan]] = {}
    for item in plans:
        if item.record is None:
            result.still_failing[item.entry.id] = item.problem or Reason(category="unknown", message="?")
        else:
            groups.setdefault((item.entry.shop, item.entry.sync_id, item.entry.resource), []).append(item)
    for (shop, sync_id, resource), members in groups.items():
        for start in range(0, len(members), batch_size):
            chunk = members[start : start + batch_size]
            records = [m.record for m in chunk if m.record is not None]
            enqueue(
                shop,
                sync_id,
                resource,
                [RecordEnvelope(r.key, r.payload, r.source).to_dict() for r in records],
            )
            for member in chunk:
                tracker.mark(sync_id, member.entry.record_key, "retrying", replayed=True)
                store.remove(member.entry.id)
                result.enqueued.append(member.entry.id)
    return result
