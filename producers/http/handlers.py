"""The HTTP producer's routes: take records in, answer the connection check, report a sync, health."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import redis
from aiohttp import web
from kombu.exceptions import OperationalError

from producers.connector.keying import keyed
from producers.connector.quotes import undo_in_record
from producers.http.answers import queued_answer, settled_answer
from producers.http.auth import json_error
from producers.http.coalesce import Coalescer
from producers.http.payload import PayloadError, parse, valid_sync_id
from producers.pipeline import RecordPipeline, Submission, Target
from producers.sync_status import sync_status as status_of
from settings import ShopsConfig
from worker.observability import tag_scope
from worker.resources import RESOURCES

log = logging.getLogger(__name__)

SYNC_HEADER = "X-Sync-Id"
KEY_FIELD_PARAM = "key"
DEAD_LETTER_LIMIT = 100
ANSWER_PARAM = "answer"
ANSWER_MODES = ("settled", "queued")
SETTLE_POLL_S = 0.05
# Requests waiting for a settled answer at once (10 per Multiwoven sync); more wait for a thread.
WAIT_THREADS = 64


@dataclass
class Producer:
    """What the routes use: the shops the workers serve, Redis, the record pipeline and how to answer.

    ``coalescer`` gathers concurrent requests' records into shared batches; ``waits`` runs the settled
    answers' waits (threads of their own, so that waiting requests never hold up intake).
    """

    shops: ShopsConfig
    client: redis.Redis
    pipeline: RecordPipeline
    coalescer: Coalescer
    max_body_bytes: int
    answer_mode: str = "settled"
    deadline_s: float = 45.0
    flush_s: float = 0.25
    undo_quotes_default: bool = True
    waits: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(WAIT_THREADS, "settle"))

    def undo_quotes(self, shop: str) -> bool:
        """Whether to undo Multiwoven's quote doubling for ``shop`` (its shops-file entry decides first)."""
        own = self.shops.get(shop).multiwoven_undo_quotes
        return self.undo_quotes_default if own is None else own


PRODUCER = web.AppKey("producer", Producer)


def _target(request: web.Request) -> tuple[str, str, str]:
    """Shop, resource and sync id of a records request; 400/404 when one is missing or unknown."""
    producer = request.app[PRODUCER]
    shop, resource = request.match_info["shop"], request.match_info["resource"]
    if shop not in producer.shops:
        known = ", ".join(producer.shops.names())
        raise json_error(web.HTTPNotFound, f"unknown shop {shop!r}; this deployment serves: {known}")
    if resource not in RESOURCES:
        raise json_error(web.HTTPNotFound, f"unknown resource {resource!r}; known: {', '.join(RESOURCES)}")
    sync_id = request.match_info.get("sync_id") or request.headers.get(SYNC_HEADER, "")
    if not sync_id:
        raise json_error(
            web.HTTPBadRequest,
            "no sync id: put it in the URL (/shops/<shop>/<resource>/syncs/<id>) "
            f"or the {SYNC_HEADER} header",
        )
    if not valid_sync_id(sync_id):
        raise json_error(web.HTTPBadRequest, "sync id: 1-128 letters, digits, '.', '_', ':' or '-'")
    return producer.shops.get(shop).shop_name, resource, sync_id


def _too_large(limit: int, size: int | None) -> web.HTTPRequestEntityTooLarge:
    reason = f"body of {size} bytes; limit {limit}" if size else f"body over the limit of {limit} bytes"
    text = json.dumps({"error": reason})
    return web.HTTPRequestEntityTooLarge(limit, size or limit + 1, text=text, content_type="application/json")


async def _body(request: web.Request) -> bytes:
    limit = request.app[PRODUCER].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit, request.content_length)
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise _too_large(limit, None) from None


async def take_records(request: web.Request) -> web.Response:
    """``POST /shops/{shop}/{resource}[/syncs/{sync_id}]``: Multiwoven's HTTP destination."""
    started = time.monotonic()
    shop, resource, sync_id = _target(request)
    tag_scope(shop=shop, sync_id=sync_id, resource=resource)
    try:
        payload = parse(await _body(request))
    except PayloadError as exc:
        raise json_error(web.HTTPBadRequest, str(exc)) from None
    where = {"shop": shop, "resource": resource, "sync_id": sync_id}
    if payload.records is None:  # Multiwoven's connection check posts {}
        return web.json_response({"status": "ok", **where})
    producer = request.app[PRODUCER]
    fields = [undo_in_record(r) for r in payload.records] if producer.undo_quotes(shop) else payload.records
    records = keyed(fields, request.query.get(KEY_FIELD_PARAM))
    target = Target(shop, resource, sync_id)
    queued = _answer_mode(request, producer) == "queued"
    try:
        submission = await producer.coalescer.submit(target, records, queued=queued)
        if queued:
            status, body = queued_answer(submission)
        else:
            outcomes = await _settle(producer, target, submission, deadline=started + producer.deadline_s)
            status, body = settled_answer(submission, outcomes)
    except (redis.RedisError, OperationalError):
        log.exception("cannot take records in", extra=where)
        raise json_error(
            web.HTTPServiceUnavailable, "cannot reach Redis; nothing was confirmed: send again"
        ) from None
    answer = {**where, **body, "status_url": f"/syncs/{sync_id}"}
    return web.json_response(answer, status=status, dumps=_dumps)


def _answer_mode(request: web.Request, producer: Producer) -> str:
    mode = request.query.get(ANSWER_PARAM, producer.answer_mode)
    if mode not in ANSWER_MODES:
        raise json_error(web.HTTPBadRequest, f"{ANSWER_PARAM} must be one of: {', '.join(ANSWER_MODES)}")
    return mode


async def _settle(
    producer: Producer, target: Target, submission: Submission, *, deadline: float
) -> dict[str, dict[str, Any]]:
    """Wait (in the waits' own threads) until the request's records are settled or the deadline passes."""
    keys = [r.key for r in submission.accepted] + list(submission.duplicates)
    if not keys:
        return {}

    def wait() -> dict[str, dict[str, Any]]:
        timeout_s = max(deadline - time.monotonic(), 0.0)
        producer.pipeline.wait(target.sync_id, record_keys=keys, timeout_s=timeout_s, poll_s=SETTLE_POLL_S)
        return producer.pipeline.tracker.outcomes_of(target.sync_id, keys)

    return await asyncio.get_running_loop().run_in_executor(producer.waits, wait)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _status(producer: Producer, sync_id: str, limit: int) -> dict[str, Any] | None:
    status = status_of(producer.pipeline.tracker, sync_id)
    if status is None:
        return None
    letters = list(producer.pipeline.dead_letters.iter(sync_id=sync_id))
    pause = producer.pipeline.pauses.summary(status.get("shop", ""), status.get("resource"))
    return {
        **status,
        "shop_paused": pause,
        "dead_letters": [
            {"record": e.record_key, "attempts": e.attempts, **e.reason.model_dump()} for e in letters[:limit]
        ],
        "dead_letters_total": len(letters),
    }


async def sync_status(request: web.Request) -> web.Response:
    """``GET /syncs/{sync_id}``: counts and dead letters (with reasons) of a sync."""
    sync_id = request.match_info["sync_id"]
    if not valid_sync_id(sync_id):
        raise json_error(web.HTTPBadRequest, "sync id: 1-128 letters, digits, '.', '_', ':' or '-'")
    try:
        limit = max(0, min(int(request.query.get("limit", DEAD_LETTER_LIMIT)), 10_000))
    except ValueError:
        raise json_error(web.HTTPBadRequest, "limit must be an integer") from None
    status = await asyncio.to_thread(_status, request.app[PRODUCER], sync_id, limit)
    if status is None:
        raise json_error(web.HTTPNotFound, f"unknown sync {sync_id!r}")
    tag_scope(shop=status.get("shop"), sync_id=sync_id, resource=status.get("resource"))
    return web.json_response(status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


async def health(request: web.Request) -> web.Response:
    """``GET /healthz``: 200 when Redis answers, 503 otherwise (no token needed)."""
    try:
        await asyncio.to_thread(request.app[PRODUCER].client.ping)
    except redis.RedisError as exc:
        return web.json_response({"status": "unavailable", "redis": type(exc).__name__}, status=503)
    return web.json_response({"status": "ok", "redis": "ok"})
