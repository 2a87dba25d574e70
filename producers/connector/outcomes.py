"""Turn the outcomes of a ``write`` into Multiwoven's tracking message: counts and one log per record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from producers.connector.protocol import LogMessage, MultiwovenMessage, record_log, tracking
from worker.contract.envelopes import RecordEnvelope
from worker.contract.states import RecordState

LOG_NAME = "shopify_sync.connector"


@dataclass(frozen=True)
class WriteContext:
    """What every record log of one ``write`` repeats."""

    resource: str
    mutation: str
    action: str
    tracking_id: str
    timeout_s: float
    paused_reason: str | None = None


def _request(ctx: WriteContext, record: RecordEnvelope) -> dict[str, Any]:
    return {"mutation": ctx.mutation, "action": ctx.action, "record": record.key, "payload": record.payload}


def record_outcome_log(
    ctx: WriteContext, record: RecordEnvelope, outcome: Mapping[str, Any] | None
) -> LogMessage:
    """The log of one record: ``info`` when it was synced, ``error`` with the reason otherwise."""
    state = (outcome or {}).get("state", RecordState.PENDING)
    if state == RecordState.SYNCED:
        response = {"state": state, "gid": outcome.get("gid") if outcome else None}
        return record_log("info", LOG_NAME, _request(ctx, record), response)
    if state in (RecordState.DEAD_LETTERED, RecordState.SUPERSEDED):
        response = {"state": state, "reason": (outcome or {}).get("reason")}
    elif state == RecordState.PAUSED:
        why = ctx.paused_reason or (outcome or {}).get("reason")
        response = {
            "state": state,
            "message": f"the shop is paused ({why}); the record is held and written after "
            "`shopify-sync shops resume <shop>`",
        }
    else:
        response = {
            "state": state,
            "message": f"not settled within {ctx.timeout_s:g} s; the workers keep trying it: "
            f"`shopify-sync status {ctx.tracking_id}`",
            "last_error": (outcome or {}).get("error"),
        }
    return record_log("error", LOG_NAME, _request(ctx, record), response)


def tracking_message(
    ctx: WriteContext, records: Sequence[RecordEnvelope], outcomes: Mapping[str, Mapping[str, Any]]
) -> MultiwovenMessage:
    """Counts (success = synced) and one log per record, in the order the records came."""
    logs = [record_outcome_log(ctx, record, outcomes.get(record.key)) for record in records]
    success = sum(
        1 for record in records if (outcomes.get(record.key) or {}).get("state") == RecordState.SYNCED
    )
    message = tracking(success, len(records) - success, logs)
    assert message.tracking is not None
    message.tracking.meta = {"tracking_id": ctx.tracking_id, "resource": ctx.resource}
    return message


def rejected(records: Sequence[Any], reason: str, *, name: str = LOG_NAME) -> MultiwovenMessage:
    """Every record failed before it could be taken in (bad config, unknown stream, Redis down)."""
    count = len(records)
    logs = [
        record_log("error", name, {"record": i}, {"state": "rejected", "message": reason})
        for i in range(count)
    ]
    if not logs:
        logs = [record_log("error", name, {"records": 0}, {"state": "rejected", "message": reason})]
    return tracking(0, count, logs)
