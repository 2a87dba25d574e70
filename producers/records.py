"""Turn source rows into mapped, validated records ready to enqueue."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from producers.mapping import Mapping, MappingError
from worker.deadletters import Reason
from worker.recorder import validation_reason
from worker.records import RecordEnvelope
from worker.resources import RecordInvalidError, Resource


@dataclass(frozen=True)
class InvalidRecord:
    """A row that cannot become a valid record, with the reason (it goes to the dead letters)."""

    record: RecordEnvelope
    reason: Reason


def record_key(row_number: int, row: dict[str, Any], primary_key: str | None) -> str:
    """The record's key within its sync: its primary key when the source has one, else its row number."""
    return _primary_key_value(row, primary_key) or f"row-{row_number}"


def prepare(
    rows: Iterable[tuple[int, dict[str, Any]]],
    mapping: Mapping,
    resource: Resource,  # type: ignore[type-arg]
    *,
    primary_key: str | None = None,
) -> Iterator[RecordEnvelope | InvalidRecord]:
    """Map and validate each row; a bad row is yielded as ``InvalidRecord`` and never stops the others.

    Rows the resource groups (a product's variant rows) are held until the input ends, then merged
    into one record per group, keyed by the group (``handle:red-shirt``); their source is every row.
    """
    seen: set[str] = set()
    groups: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for number, row in rows:
        key = record_key(number, row, primary_key)
        if key in seen:
            key = f"{key}#row-{number}"
        seen.add(key)
        try:
            payload = resource.with_source_key(mapping.apply(row), _primary_key_value(row, primary_key))
        except MappingError as exc:
            envelope = RecordEnvelope(key=key, payload={}, source=row)
            yield InvalidRecord(envelope, Reason(category="mapping", field=exc.field, message=str(exc)))
            continue
        group = resource.group_key(payload)
        if group is not None:
            groups.setdefault(group, []).append((row, payload))
            continue
        yield validated(RecordEnvelope(key=key, payload=payload, source=row), resource)
    for group, members in groups.items():
        payload = resource.merge([p for _, p in members])
        source = members[0][0] if len(members) == 1 else {"rows": [r for r, _ in members]}
        yield validated(RecordEnvelope(key=group, payload=payload, source=source), resource)


def _primary_key_value(row: dict[str, Any], primary_key: str | None) -> str | None:
    value = row.get(primary_key) if primary_key else None
    return None if value in (None, "") else str(value)


def validated(envelope: RecordEnvelope, resource: Resource) -> RecordEnvelope | InvalidRecord:  # type: ignore[type-arg]
    """The envelope when its payload fits the resource's model, else an ``InvalidRecord`` naming the field."""
    try:
        resource.validate(envelope.payload)
    except RecordInvalidError as exc:
        return InvalidRecord(envelope, validation_reason(exc))
    return envelope
