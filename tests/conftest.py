"""Shared fixtures. Integration tests use a real Redis on its own DB index and a unique key prefix."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator

import fakeredis
import pytest
import redis

TEST_REDIS_URL = os.environ.get("SHOPIFY_SYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def fake_redis() -> Iterator[redis.Redis]:
    client = fakeredis.FakeRedis()
    yield client
    client.flushall()


@pytest.fixture
def real_redis() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"no Redis at {TEST_REDIS_URL}: start one or set SHOPIFY_SYNC_TEST_REDIS_URL")
    yield client
    client.close()


@pytest.fixture(params=["fakeredis", "redis"])
def any_redis(request: pytest.FixtureRequest) -> redis.Redis:
    """The same test against fakeredis (what embedded mode uses) and a real Redis."""
    return request.getfixturevalue("fake_redis" if request.param == "fakeredis" else "real_redis")


@pytest.fixture
def key_prefix(any_redis: redis.Redis) -> Iterator[str]:
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield prefix
    for key in any_redis.scan_iter(f"{prefix}:*"):
        any_redis.delete(key)


@pytest.fixture(autouse=True)
def _restore_log_levels() -> Iterator[None]:
    """CLI commands run in-process lower some loggers' levels; later tests must see the defaults."""
    names = ("", "worker", "celery", "producers")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
