"""The HTTP producer's aiohttp application, and how ``shopify-sync serve`` runs it.

Multiwoven's HTTP destination POSTs one mapped record per request; this server gathers the records of
concurrent requests into batches, validates them, dead-letters the invalid ones and enqueues the rest for
the workers. It answers each request once its records are settled (``settled``, the default) or once
they are queued (``queued``): see ``producers.http.answers``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress

import redis
from aiohttp import web

from producers.embedded import embedded_worker
from producers.http.auth import bearer_auth, json_errors
from producers.http.coalesce import Coalescer
from producers.http.handlers import PRODUCER, Producer, health, sync_status, take_records
from producers.http.staging import Staging
from producers.pipeline import RecordPipeline
from producers.records import validator
from settings import SECRETS_NOT_LOADED, AppSettings, ShopsConfig, load_shops
from worker.contract.keys import Keys
from worker.contract.outages import REDIS_DOWN

log = logging.getLogger(__name__)

# A request rides out a Redis restart this long, then answers 503 ("send again") well within the caller's
# read timeout.
REQUEST_RIDE_OUT_S = 5.0


def create_app(producer: Producer, *, bearer_token: str) -> web.Application:
    """The application: records intake, sync status, health; every route but health needs the token."""
    app = web.Application(
        middlewares=[json_errors, bearer_auth(bearer_token)], client_max_size=producer.max_body_bytes
    )
    app[PRODUCER] = producer
    app.cleanup_ctx.append(_flush_staged)
    app.on_shutdown.append(_drain)
    app.router.add_post("/shops/{shop}/{resource}", take_records)
    app.router.add_post("/shops/{shop}/{resource}/syncs/{sync_id}", take_records)
    app.router.add_get("/syncs/{sync_id}", sync_status)
    app.router.add_get("/healthz", health)
    return app


async def _flush_staged(app: web.Application) -> AsyncIterator[None]:
    """Enqueue staged records (``queued`` answers) every ``flush_s``, and once more when stopping."""
    producer = app[PRODUCER]
    staging = producer.coalescer.staging

    async def every_interval() -> None:
        while True:
            await asyncio.sleep(producer.flush_s)
            try:
                await asyncio.to_thread(staging.flush_all)
            except REDIS_DOWN:
                log.warning("Redis does not answer: staged records wait")

    task = asyncio.create_task(every_interval())
    yield
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    with suppress(*REDIS_DOWN):
        await asyncio.to_thread(staging.flush_all)


async def _drain(app: web.Application) -> None:
    producer = app[PRODUCER]
    await producer.coalescer.drain()
    producer.waits.shutdown(wait=False, cancel_futures=True)


def producer_for(settings: AppSettings, shops: ShopsConfig, client: redis.Redis) -> Producer:
    """The routes' dependencies over ``client``."""
    keys = Keys(settings.key_prefix)
    pipeline = RecordPipeline(client, keys, batch_size=settings.batch_size, ride_out_s=REQUEST_RIDE_OUT_S)
    staging = Staging(client, keys, pipeline.publisher.publish, batch_size=settings.batch_size)
    return Producer(
        shops=shops,
        client=client,
        pipeline=pipeline,
        coalescer=Coalescer(
            pipeline,
            validator,
            staging,
            batch_size=settings.batch_size,
            linger_s=settings.http_coalesce_ms / 1000,
        ),
        flush_s=settings.http_queued_flush_ms / 1000,
        max_body_bytes=settings.http_max_body_bytes,
        answer_mode=settings.http_answer,
        deadline_s=settings.http_answer_deadline_s,
        undo_quotes_default=settings.multiwoven_undo_quotes,
    )


@contextmanager
def running_pipeline(settings: AppSettings) -> Iterator[tuple[ShopsConfig, redis.Redis]]:
    """The shops and Redis the producer serves.

    With Redis, the producer only enqueues: it reads the workers' shops file for the shop names and
    never loads a token. In embedded mode it runs the worker in-process, which needs the tokens.
    """
    if settings.embedded:
        shops = load_shops(settings.shops_file)
        with embedded_worker(settings, shops) as client:
            yield shops, client
        return
    shops = load_shops(settings.shops_file, environ=SECRETS_NOT_LOADED)
    client = redis.Redis.from_url(settings.redis_url or "", health_check_interval=30)
    try:
        yield shops, client
    finally:
        client.close()


def serve(settings: AppSettings, *, host: str, port: int) -> None:
    """Serve until interrupted.

    Raises:
        ValueError: When ``SHOPIFY_SYNC_HTTP_BEARER_TOKEN`` is not set.
        ShopsFileError: When the shops file is invalid.
    """
    if settings.http_bearer_token is None:
        raise ValueError(
            "SHOPIFY_SYNC_HTTP_BEARER_TOKEN is not set: the producer refuses unauthenticated callers"
        )
    with running_pipeline(settings) as (shops, client):
        app = create_app(
            producer_for(settings, shops, client), bearer_token=settings.http_bearer_token.get_secret_value()
        )
        mode = "embedded" if settings.embedded else "redis"
        log.info(
            "HTTP producer (%s mode, %s answers) for shops %s on http://%s:%d",
            mode,
            settings.http_answer,
            ", ".join(shops.names()),
            host,
            port,
        )
        web.run_app(app, host=host, port=port, print=None, access_log=logging.getLogger("aiohttp.access"))
