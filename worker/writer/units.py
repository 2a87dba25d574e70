"""Units of work: which records go out in one request, what a unit costs, and its idempotency key."""

from __future__ import annotations

import hashlib
import json

from worker.contract.envelopes import RecordEnvelope
from worker.gateway import ShopGateway
from worker.lookups import LookupCache
from worker.resources import Resource, ShopifyInput, WriteContext

Unit = list[tuple[RecordEnvelope, ShopifyInput]]


def build_units(
    valid: Unit,
    resource: Resource,  # type: ignore[type-arg]
    gateway: ShopGateway,
    *,
    max_records_per_request: int,
) -> list[Unit]:
    """Fixed chunks; or, for a packable resource, packs within the per-request cost and record limits."""
    if not resource.packable:
        size = max(resource.chunk_size, 1)
        return [valid[i : i + size] for i in range(0, len(valid), size)]
    budget = gateway.pack_budget()
    units: list[Unit] = []
    unit: Unit = []
    spent = 0.0
    for item in valid:
        if not resource.can_pack(item[1]):
            units.append([item])
            continue
        cost = resource.expected_cost(item[1], gateway.cost_of)
        if unit and (len(unit) >= max_records_per_request or spent + cost > budget):
            units.append(unit)
            unit, spent = [], 0.0
        unit.append(item)
        spent += cost
    if unit:
        units.append(unit)
    return units


def unit_cost(unit: Unit, resource: Resource, gateway: ShopGateway) -> float:  # type: ignore[type-arg]
    """The points the unit is expected to cost."""
    return sum(resource.expected_cost(model, gateway.cost_of) for _, model in unit)


def idempotency_key(shop: str, resource: str, sync_id: str, unit: Unit) -> str:
    """The same for every attempt of the same records of one sync, so a retry reuses it."""
    content = [shop, resource, sync_id, [record.payload for record, _ in unit]]
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:32]


def write_context(
    unit: Unit, *, shop: str, resource: str, sync_id: str, lookups: LookupCache | None
) -> WriteContext:
    """What a resource needs to know about the unit it writes."""
    return WriteContext(
        shop=shop,
        sync_id=sync_id,
        record_keys=tuple(record.key for record, _ in unit),
        idempotency_key=idempotency_key(shop, resource, sync_id, unit),
        lookups=lookups,
    )
