"""The one policy for Redis not answering (a restart, a failover, a network cut), for both sides.

Producers ride out an outage on steps that may run twice (``until_redis_answers``); a worker whose
batch met one waits for Redis (``wait_for_redis``) and then gives the message back. Both back off the
same way: redis-py's exponential backoff, from 0.2 s doubling up to 2 s between tries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import redis
from kombu.exceptions import OperationalError
from redis.backoff import ExponentialBackoff

T = TypeVar("T")

# Redis (the broker, and where outcomes are kept) did not answer. kombu raises OperationalError when a
# publish fails for that reason.
REDIS_DOWN: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError, OperationalError)
# A producer rides out a Redis restart of up to this long (then the error stops it).
RIDE_OUT_S = 60.0
BACKOFF = ExponentialBackoff(cap=2.0, base=0.1)


def until_redis_answers(call: Callable[[], T], *, within_s: float = RIDE_OUT_S) -> T:
    """``call()``, tried again while Redis does not answer, for up to ``within_s``.

    Only for steps that may run twice: every step a producer retries is idempotent (outcomes and dead
    letters are keyed by record), except the count of records a sync adds, which a connection lost
    after Redis ran the command but before it answered would count twice.

    Raises:
        One of ``REDIS_DOWN``: When Redis still does not answer after ``within_s``.
    """
    deadline = time.monotonic() + within_s
    failures = 0
    while True:
        try:
            return call()
        except REDIS_DOWN:
            failures += 1
            delay = BACKOFF.compute(failures)
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)


def wait_for_redis(client: redis.Redis, timeout_s: float) -> bool:
    """Ping until Redis answers (True) or ``timeout_s`` has passed (False)."""
    try:
        until_redis_answers(client.ping, within_s=timeout_s)
    except REDIS_DOWN:
        return False
    return True


def redis_unavailable(exc: BaseException, depth: int = 0) -> bool:
    """True when ``exc``, an exception grouped in it, or one it was raised from says Redis did not answer."""
    if isinstance(exc, REDIS_DOWN):
        return True
    if depth > 8:
        return False
    if isinstance(exc, BaseExceptionGroup):
        return any(redis_unavailable(e, depth + 1) for e in exc.exceptions)
    cause = exc.__cause__ or exc.__context__
    return cause is not None and redis_unavailable(cause, depth + 1)
