"""What workers and producers do while Redis is away: classify the error, wait, and keep the broker usable."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis
from kombu import Connection
from kombu.exceptions import OperationalError
from kombu.transport import redis as kombu_redis

from settings import AppSettings
from tests.conftest import TEST_REDIS_URL
from worker.contract import outages
from worker.contract.broker import REDIS_TRANSPORT, broker_transport_options, create_celery_app
from worker.contract.outages import redis_unavailable, wait_for_redis
from worker.contract.transport import Transport


def group_of(*errors: Exception) -> ExceptionGroup:
    async def fail(error: Exception) -> None:
        raise error

    async def main() -> None:
        async with asyncio.TaskGroup() as group:
            for error in errors:
                group.create_task(fail(error))

    with pytest.raises(ExceptionGroup) as caught:
        asyncio.run(main())
    return caught.value


def raised_from(error: Exception, cause: Exception) -> Exception:
    try:
        raise error from cause
    except Exception as exc:
        return exc


@pytest.mark.parametrize(
    ("error", "down"),
    [
        (redis.ConnectionError("refused"), True),
        (redis.TimeoutError("slow"), True),
        (redis.BusyLoadingError("loading the dataset"), True),
        (OperationalError("publish failed"), True),
        (group_of(redis.ConnectionError("gone")), True),  # a unit of the batch writer's TaskGroup
        (raised_from(RuntimeError("unit failed"), redis.ConnectionError("gone")), True),
        (ValueError("a bug"), False),
        (group_of(ValueError("a bug")), False),
    ],
)
def test_redis_unavailable_looks_inside_groups_and_causes(error, down):
    assert redis_unavailable(error) is down


def test_until_redis_answers_retries_only_connection_errors(monkeypatch):
    monkeypatch.setattr(outages.time, "sleep", lambda s: None)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise redis.ConnectionError("restarting")
        return "done"

    assert outages.until_redis_answers(flaky) == "done" and len(calls) == 3
    with pytest.raises(KeyError):
        outages.until_redis_answers(lambda: {}["missing"])


def test_until_redis_answers_gives_up_after_its_time(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(outages.time, "sleep", lambda s: now.__setitem__(0, now[0] + s))

    def down():
        raise redis.ConnectionError("down")

    with pytest.raises(redis.ConnectionError):
        outages.until_redis_answers(down, within_s=10)
    assert 8 <= now[0] <= 10


def test_wait_for_redis_says_whether_it_answered(monkeypatch):
    monkeypatch.setattr(outages.time, "sleep", lambda s: None)
    assert wait_for_redis(redis.Redis.from_url(TEST_REDIS_URL), timeout_s=1)
    down = redis.Redis(port=1, socket_connect_timeout=0.1, retry=None)
    assert not wait_for_redis(down, timeout_s=0.3)


def test_redis_mode_uses_the_patched_transport_and_sweeps_often():
    settings = AppSettings(redis_url="redis://127.0.0.1:6379/0", broker_visibility_timeout_s=3600)
    app = create_celery_app(settings)
    assert app.conf.broker_transport == REDIS_TRANSPORT
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is True
    options = broker_transport_options(settings)
    assert (options["unacked_restore_interval"], options["unacked_restore_throttle"]) == (10, 1)
    assert options["unacked_mutex_expire"] == 30  # kombu's default (300 s) outlives a worker killed mid-sweep
    quick = AppSettings(broker_visibility_timeout_s=20, max_backoff_s=1, max_inline_wait_s=1)
    assert broker_transport_options(quick)["unacked_restore_interval"] == 2
    assert broker_transport_options(quick)["unacked_mutex_expire"] == 6
    assert create_celery_app(AppSettings()).conf.broker_transport is None  # embedded: in-memory broker


def test_the_sweep_lock_of_a_worker_killed_mid_sweep_expires_within_seconds(real_redis):
    settings = AppSettings(
        redis_url=TEST_REDIS_URL, broker_visibility_timeout_s=20, max_backoff_s=1, max_inline_wait_s=1
    )
    key = f"test-unacked-mutex-{uuid.uuid4().hex}"
    with create_celery_app(settings).connection_for_write() as connection:
        channel = connection.default_channel
        # kombu's own lock, taken as a sweep takes it; the worker dies inside: it is never released.
        sweep = kombu_redis.Mutex(real_redis, key, channel.unacked_mutex_expire)
        sweep.__enter__()
    try:
        assert 0 < real_redis.ttl(key) <= 6  # kombu alone: 300 s without any worker sweeping
    finally:
        real_redis.delete(key)


@pytest.mark.parametrize("transport", [kombu_redis.Transport, Transport])
def test_a_channel_still_reaches_redis_after_celery_collected_its_connection(real_redis, transport):
    connection = Connection(TEST_REDIS_URL, transport=transport)
    channel = connection.default_channel  # connects (and pings) Redis
    # What Celery's ``collect`` leaves when the broker connection dropped: the channel could not be closed
    # (Redis was down) and the transport is detached from its connection.
    channel.connection.client = None
    if transport is kombu_redis.Transport:  # kombu alone: the worker dies with "Unrecoverable error"
        with pytest.raises(AttributeError):
            channel._connparams()
        return
    params = channel._connparams()
    assert (params["host"], params["port"]) == ("127.0.0.1", 6379)
    channel._pool = None  # closing the channel disconnects its pool; the next use builds one again
    with channel.conn_or_acquire() as client:
        assert client.ping()
