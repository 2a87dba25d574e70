"""Turn source rows into mapped, validated records ready to enqueue."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from producers.mapping import Mapping, MappingError
from producers.parallel import map_rows
from producers.pipeline import Checked, InvalidRecord, Validate
from worker.contract.deadletters import Reason
from worker.contract.envelopes import RecordEnvelope
from worker.contract.recorder import SUPERSEDED
from worker.resources import RecordInvalidError, Resource, get_resource


def record_key(row_number: int, row: dict[str, Any], primary_key: str | None) -> str:
    """The record's key within its sync: its primary key when the source has one, else its row number."""
    return _primary_key_value(row, primary_key) or f"row-{row_number}"


class MappedRow(NamedTuple):
    """One row mapped, and validated unless its resource groups it with other rows.

    A tuple: it crosses processes (``producers.parallel``), and tuples pickle several times faster.

    Attributes:
        payload: The mapped record ({} when mapping failed).
        group: The resource's group key (the row is merged with its group later), or None.
        problem: Why the row cannot become a record (mapping or validation), or None.
        supersede: The valid record's ``supersede_key``: a later record with the same key replaces it.
    """

    payload: dict[str, Any]
    group: str | None = None
    problem: Reason | None = None
    supersede: str | None = None


@dataclass(frozen=True)
class RowMapper:
    """Maps and validates one row at a time: the part of ``prepare`` that needs no other row."""

    mapping: Mapping
    resource: Resource  # type: ignore[type-arg]
    primary_key: str | None = None

    def __call__(self, row: dict[str, Any]) -> MappedRow:
        """The row mapped; validated here unless the resource groups it."""
        resource = self.resource
        source_key = _primary_key_value(row, self.primary_key)
        try:
            payload = resource.with_source_key(self.mapping.apply(row), source_key)
        except MappingError as exc:
            return MappedRow({}, problem=Reason(category="mapping", field=exc.field, message=str(exc)))
        group = resource.group_key(payload)
        if group is not None:
            return MappedRow(payload, group)
        try:
            record = resource.validate(payload)
        except RecordInvalidError as exc:
            return MappedRow(payload, problem=exc.reason())
        return MappedRow(payload, supersede=resource.supersede_key(record))


def prepare(
    rows: Iterable[tuple[int, dict[str, Any]]],
    mapping: Mapping,
    resource: Resource,  # type: ignore[type-arg]
    *,
    primary_key: str | None = None,
    processes: int = 0,
) -> Iterator[Checked]:
    """Map and validate each row; a bad row is yielded as ``InvalidRecord`` and never stops the others.

    Rows the resource groups (a product's variant rows) are held until the input ends, then merged
    into one record per group, keyed by the group (``handle:red-shirt``); their source is every row.
    Valid records with a ``supersede_key`` (inventory quantities) are held too, and a later one with the
    same key turns the earlier into an ``InvalidRecord`` with code ``SUPERSEDED``: it is marked
    superseded, never written and never dead-lettered (a replay would write stale data).
    With ``processes``, rows are mapped and validated in that many worker processes (``map_rows``), in
    the same order.
    """
    seen: set[str] = set()
    groups: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    held: list[RecordEnvelope | InvalidRecord] = []
    latest: dict[str, int] = {}
    for number, row, mapped in map_rows(rows, RowMapper(mapping, resource, primary_key), processes):
        key = record_key(number, row, primary_key)
        if key in seen:
            key = f"{key}#row-{number}"
        seen.add(key)
        if mapped.group is not None:
            groups.setdefault(mapped.group, []).append((row, mapped.payload))
            continue
        envelope = RecordEnvelope(key=key, payload=mapped.payload, source=row)
        if mapped.supersede is not None:
            earlier = latest.get(mapped.supersede)
            if earlier is not None:
                held[earlier] = superseded(held[earlier], key)
            latest[mapped.supersede] = len(held)
            held.append(envelope)
            continue
        yield envelope if mapped.problem is None else InvalidRecord(envelope, mapped.problem)
    yield from held
    for group, members in groups.items():
        payload = resource.merge([p for _, p in members])
        source = members[0][0] if len(members) == 1 else {"rows": [r for r, _ in members]}
        yield validated(RecordEnvelope(key=group, payload=payload, source=source), resource)


def superseded(item: RecordEnvelope | InvalidRecord, by_key: str) -> InvalidRecord:
    """The earlier record, replaced by record ``by_key`` of the same sync."""
    record = item.record if isinstance(item, InvalidRecord) else item
    message = f"superseded by record {by_key}, later in the input (same quantity, item and location)"
    return InvalidRecord(record, Reason(category="superseded", message=message, code=SUPERSEDED))


def _primary_key_value(row: dict[str, Any], primary_key: str | None) -> str | None:
    value = row.get(primary_key) if primary_key else None
    return None if value in (None, "") else str(value)


def validation_problem(payload: dict[str, Any], resource: Resource) -> Reason | None:  # type: ignore[type-arg]
    """Why the payload does not fit the resource's model (naming the field), or None when it does."""
    try:
        resource.validate(payload)
    except RecordInvalidError as exc:
        return exc.reason()
    return None


def validated(envelope: RecordEnvelope, resource: Resource) -> Checked:  # type: ignore[type-arg]
    """The envelope when its payload fits the resource's model, else an ``InvalidRecord`` naming the field."""
    problem = validation_problem(envelope.payload, resource)
    return envelope if problem is None else InvalidRecord(envelope, problem)


def validator(resource: str) -> Validate:
    """Checks envelopes of ``resource`` against its model: the pipeline's ``validate`` for mapped records."""
    model = get_resource(resource)
    return lambda envelope: validated(envelope, model)
