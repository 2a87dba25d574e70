"""The two usual ways to stay under Shopify's limit, measured beside this project on the same simulator.

- ``fixed_sleep_client``: one ``customerSet`` per request, several in flight; a throttle (HTTP 200
  ``THROTTLED`` or 429) or a 5xx is retried after a fixed sleep, as the official libraries and most
  scripts do.
- ``celery_app``: a Celery task per record under Celery's own per-task ``rate_limit`` (per worker node,
  so the shop's rate is divided between the nodes); a throttle is retried with a fixed countdown. Run
  with a thread pool (``-P threads``), so it keeps as many requests in flight as this project's workers.
  Start it with ``celery -A benchmarks.baselines worker``; the token comes from the worker's environment.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import aiohttp
import redis
from celery import Celery, Task

from benchmarks.harness import token_variable
from worker.resources.customers import CUSTOMER_SET

RETRY_SLEEP_S = 1.0
CUSTOMER_SET_TASK = "baseline.customer_set"


def _throttled(status: int, body: Any) -> bool:
    if status == 429:
        return True
    errors = body.get("errors") if isinstance(body, Mapping) else None
    return any((e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors or ())


async def fixed_sleep_client(
    url: str,
    token: str,
    variables: Sequence[Mapping[str, Any]],
    *,
    concurrency: int,
    on_settled: Callable[[], None],
    stop_after_s: float | None = None,
) -> None:
    """Each record's ``customerSet``, ``concurrency`` at a time; a throttle or 5xx: sleep, send again."""
    pending = iter(variables)
    deadline = None if stop_after_s is None else time.monotonic() + stop_after_s
    headers = {"X-Shopify-Access-Token": token, "Content-Type": "application/json"}

    async def lane(session: aiohttp.ClientSession) -> None:
        for one in pending:
            while deadline is None or time.monotonic() < deadline:
                async with session.post(url, json={"query": CUSTOMER_SET, "variables": one}) as answer:
                    status, body = answer.status, await answer.json(content_type=None)
                if _throttled(status, body) or status >= 500:
                    await asyncio.sleep(RETRY_SLEEP_S)
                    continue
                on_settled()
                break
            else:
                return

    async with aiohttp.ClientSession(headers=headers) as session:
        await asyncio.gather(*(lane(session) for _ in range(concurrency)))


celery_app = Celery("baseline", broker=os.environ.get("BASELINE_BROKER_URL", "memory://localhost/"))
celery_app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
)


@celery_app.task(
    name=CUSTOMER_SET_TASK,
    bind=True,
    max_retries=None,
    rate_limit=os.environ.get("BASELINE_RATE_LIMIT", "1/s"),
)
def customer_set(self: Task[Any, Any], shop: str, url: str, variables: dict[str, Any], done_key: str) -> None:
    """One record, one request; retried after a fixed countdown when throttled or on a 5xx."""
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": CUSTOMER_SET, "variables": variables}).encode(),
        headers={
            "X-Shopify-Access-Token": os.environ[token_variable(shop)],
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, body = answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        status, body = error.code, None
    if _throttled(status, body) or status >= 500:
        raise self.retry(countdown=RETRY_SLEEP_S)
    _counter().incr(done_key)


_counters: list[redis.Redis] = []


def _counter() -> redis.Redis:
    """One Redis client per worker process (thread-safe: redis-py pools its connections)."""
    if not _counters:
        _counters.append(redis.Redis.from_url(os.environ["BASELINE_BROKER_URL"]))
    return _counters[0]
