"""``write``: Multiwoven's mapped records through the pipeline, and each record's outcome back.

Validate and enqueue, then wait for the workers (``RecordPipeline``), then report. Records
are tracked per Multiwoven run (``mw-<sync_id>-<sync_run_id>``), so ``shopify-sync status`` follows a
whole run while each call waits only for its own records; a record changed in a later run is written
again (the tracker treats ``synced`` as final within one id). Keys come from the record's content
(and its primary key), so the same record sent twice in a run is written once. In embedded mode (no
``SHOPIFY_SYNC_REDIS_URL``) the call starts an in-process worker that takes the token from the
connection config; with Redis, worker processes write and take the token from their own shops file,
which must list the shop.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import redis
from pydantic import ValidationError

from producers import json_limits
from producers.connector.config import ConfigError, ConnectionConfig, parse_config
from producers.connector.keying import keyed
from producers.connector.outcomes import WriteContext, tracking_message
from producers.connector.protocol import WRITE_ACTIONS, MultiwovenMessage, SyncConfig, tracking
from producers.connector.quotes import undo_in_record
from producers.pipeline import RecordPipeline, Target
from producers.pipeline.recovery import LostTaskWatch
from producers.records import validator
from settings import AppSettings, ShopsFileError, load_shops
from worker.contract.enqueue import Enqueue, enqueue_batch
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.observability import register_secrets
from worker.resources import RESOURCES

DEFAULT_TIMEOUT_S = 120.0


class WriteRejectedError(Exception):
    """No record can be taken in (invalid sync config, unknown stream, shop unknown to the workers)."""


@dataclass(frozen=True)
class WritePlan:
    """A validated ``write`` call."""

    config: ConnectionConfig
    shop: str
    resource: str
    action: str
    tracking_id: str
    records: list[RecordEnvelope]


def plan_write(sync_config: Any, records: Any, action: str, *, undo_quotes: bool = True) -> WritePlan:
    """Check the call's arguments and key its records.

    With ``undo_quotes`` (unless the connection config says otherwise), the quote doubling of
    Multiwoven's standard mapping is undone first (``producers.connector.quotes``).

    Raises:
        WriteRejectedError: Saying which argument is wrong.
    """
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise WriteRejectedError("records must be a list of JSON objects (already mapped by Multiwoven)")
    for number, record in enumerate(records):
        try:
            json_limits.check(record, f"records[{number}]")
        except json_limits.JsonLimitError as exc:
            raise WriteRejectedError(str(exc)) from None
    if action not in WRITE_ACTIONS:
        raise WriteRejectedError(f"unknown action {action!r}; expected one of: {', '.join(WRITE_ACTIONS)}")
    try:
        sync = SyncConfig.model_validate(sync_config)
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise WriteRejectedError(f"invalid sync_config: {where}") from None
    try:
        config = parse_config(sync.destination.connection_specification)
    except ConfigError as exc:
        raise WriteRejectedError(f"invalid connection config: {'; '.join(exc.problems)}") from None
    resource = sync.stream.name
    if resource not in RESOURCES:
        raise WriteRejectedError(
            f"unknown stream {resource!r}; this connector writes: {', '.join(RESOURCES)}"
        )
    if resource not in config.resources:
        raise WriteRejectedError(f"stream {resource!r} is not among this connection's resources")
    run = sync.sync_run_id or uuid.uuid4().hex[:8]  # no run id: this call is its own run
    undo = undo_quotes if config.undo_quote_doubling is None else config.undo_quote_doubling
    fields = [undo_in_record(r) for r in records] if undo else records
    return WritePlan(
        config=config,
        shop=config.shop().shop_name,
        resource=resource,
        action=action,
        tracking_id=f"mw-{sync.sync_id}-{run}",
        records=keyed(fields, sync.model.primary_key),
    )


def execute(
    client: redis.Redis,
    keys: Keys,
    plan: WritePlan,
    *,
    batch_size: int,
    timeout_s: float,
    enqueue: Enqueue = enqueue_batch,
    poll_s: float = 0.05,
    lost_watch: LostTaskWatch | None = None,
) -> MultiwovenMessage:
    """Take the records in, wait until each is settled (or the timeout), and build the tracking message.

    With ``lost_watch`` (a Redis broker), records that no task holds any more are enqueued again while
    the call waits (``producers.pipeline.recovery``).
    """
    if not plan.records:
        return tracking(0, 0, [])
    records = RecordPipeline(
        client, keys, batch_size=batch_size, enqueue=enqueue, recover_lost=bool(lost_watch)
    )
    target = Target(plan.shop, plan.resource, plan.tracking_id)
    records.submit(target, plan.records, validate=validator(plan.resource), dedupe=True)
    record_keys = [r.key for r in plan.records]
    records.wait(
        plan.tracking_id, record_keys=record_keys, timeout_s=timeout_s, poll_s=poll_s, lost_watch=lost_watch
    )
    outcomes = records.tracker.outcomes_of(plan.tracking_id, record_keys)
    pause = records.pauses.summary(plan.shop, plan.resource)
    context = WriteContext(
        resource=plan.resource,
        mutation=str(getattr(RESOURCES[plan.resource], "payload_field", plan.resource)),
        action=plan.action,
        tracking_id=plan.tracking_id,
        timeout_s=timeout_s,
        paused_reason=pause,
    )
    return tracking_message(context, plan.records, outcomes)


@contextmanager
def pipeline(
    settings: AppSettings, plan: WritePlan, client: redis.Redis | None = None
) -> Iterator[redis.Redis]:
    """The Redis a write goes through: an embedded worker's, ``client`` if given, or a new connection.

    Raises:
        WriteRejectedError: In Redis mode, when the workers' shops file does not list the shop.
    """
    if settings.embedded:
        from producers.embedded import embedded_worker  # the in-process worker: only in embedded mode

        register_secrets([s for s in (plan.config.access_token, plan.config.api_secret) if s is not None])
        with embedded_worker(settings, plan.config.shops()) as fake:
            yield fake
        return
    try:
        known = plan.shop in load_shops(settings.shops_file)
    except (ShopsFileError, OSError) as exc:
        raise WriteRejectedError(f"cannot read the workers' shops file: {exc}") from None
    if not known:
        raise WriteRejectedError(
            f"shop {plan.shop!r} is not in the workers' shops file {settings.shops_file}: workers take "
            "tokens only from it (add the shop there, with its access_token)"
        )
    if client is not None:
        yield client
        return
    own = redis.Redis.from_url(settings.redis_url or "")
    try:
        yield own
    finally:
        own.close()
