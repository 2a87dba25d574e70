"""The HTTP producer's routes: take records in, answer the connection check, report a sync, health."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import redis
from aiohttp import web
from kombu.exceptions import OperationalError

from producers.connector.keying import keyed
from producers.http.auth import json_error
from producers.http.payload import PayloadError, parse, valid_sync_id
from producers.pipeline import RecordPipeline, Target
from producers.records import validator
from producers.sync_status import sync_status as status_of
from settings import ShopsConfig
from worker.observability import tag_scope
from worker.resources import RESOURCES

log = logging.getLogger(__name__)

SYNC_HEADER = "X-Sync-Id"
KEY_FIELD_PARAM = "key"
DEAD_LETTER_LIMIT = 100


@dataclass
class Producer:
    """What the routes use: the shops the workers serve, Redis, and the record pipeline over it."""

    shops: ShopsConfig
    client: redis.Redis
    pipeline: RecordPipeline
    max_body_bytes: int


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
    shop, resource, sync_id = _target(request)
    tag_scope(shop=shop, sync_id=sync_id, resource=resource)
    try:
        payload = parse(await _body(request))
    except PayloadError as exc:
        raise json_error(web.HTTPBadRequest, str(exc)) from None
    where = {"shop": shop, "resource": resource, "sync_id": sync_id}
    if payload.records is None:  # Multiwoven's connection check posts {}
        return web.json_response({"status": "ok", **where})
    records = keyed(payload.records, request.query.get(KEY_FIELD_PARAM))
    pipeline = request.app[PRODUCER].pipeline
    target = Target(shop, resource, sync_id)
    try:
        submission = await asyncio.to_thread(
            pipeline.submit, target, records, validate=validator(resource), dedupe=True
        )
    except (redis.RedisError, OperationalError):
        log.exception("cannot take records in", extra=where)
        raise json_error(
            web.HTTPServiceUnavailable, "cannot reach Redis; nothing was taken in: send again"
        ) from None
    answer = {**where, **submission.to_dict(), "status_url": f"/syncs/{sync_id}"}
    # Multiwoven counts a whole chunk from the status: fail it only when no record of it can be written.
    nothing_taken = submission.invalid and not submission.accepted and not submission.duplicates
    return web.json_response(answer, status=422 if nothing_taken else 200)


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
