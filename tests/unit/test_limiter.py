import asyncio

import pytest

from worker.keys import Keys
from worker.ratelimit.limiter import ShopLimiter, WaitTooLongError


@pytest.fixture
def limiter(any_redis, key_prefix):
    return ShopLimiter(any_redis, Keys(key_prefix), default_capacity=100.0, default_restore_rate=10.0)


def test_reserves_until_empty_then_says_how_long_to_wait(limiter):
    granted = [limiter.try_acquire("acme", 30.0) for _ in range(3)]
    assert all(r.granted for r in granted)
    assert granted[-1].available == pytest.approx(10.0, abs=0.5)
    refused = limiter.try_acquire("acme", 30.0)
    assert not refused.granted
    # 20 points missing at 10 points/s
    assert refused.wait_s == pytest.approx(2.0, abs=0.1)


def test_shops_have_separate_buckets(limiter):
    for _ in range(3):
        assert limiter.try_acquire("acme", 30.0).granted
    assert limiter.try_acquire("other", 30.0).granted


def test_server_numbers_win_and_are_learned(limiter):
    first = limiter.try_acquire("acme", 10.0)
    available = limiter.reconcile(
        first, {"currentlyAvailable": 500, "maximumAvailable": 1000, "restoreRate": 50}
    )
    assert available == pytest.approx(500, abs=1)
    # the learned capacity (1000) now bounds the bucket instead of the default (100)
    assert limiter.try_acquire("acme", 400.0).granted


def test_reconcile_subtracts_other_requests_still_in_flight(limiter):
    mine = limiter.try_acquire("acme", 10.0)
    other = limiter.try_acquire("acme", 25.0)
    available = limiter.reconcile(
        mine, {"currentlyAvailable": 80, "maximumAvailable": 100, "restoreRate": 10}
    )
    assert available == pytest.approx(55, abs=0.5)
    # once the other request settles, its reservation no longer counts
    available = limiter.reconcile(
        other, {"currentlyAvailable": 70, "maximumAvailable": 100, "restoreRate": 10}
    )
    assert available == pytest.approx(70, abs=0.5)


def test_reconcile_without_throttle_status_keeps_the_reservation_spent(limiter):
    r = limiter.try_acquire("acme", 40.0)
    assert limiter.reconcile(r, None) == pytest.approx(60, abs=0.5)


def test_acquire_sleeps_for_the_refill_then_gets_points(limiter):
    sleeps = []

    async def fake_sleep(s):
        sleeps.append(s)
        await asyncio.sleep(s)

    assert limiter.try_acquire("acme", 95.0).granted
    r = asyncio.run(limiter.acquire("acme", 10.0, sleep=fake_sleep, max_wait_s=5))
    assert r.granted
    assert sleeps and sleeps[0] == pytest.approx(0.5, abs=0.05)


def test_acquire_refuses_waits_longer_than_allowed(limiter):
    assert limiter.try_acquire("acme", 100.0).granted

    async def no_sleep(_s):
        raise AssertionError("must not sleep")

    with pytest.raises(WaitTooLongError) as exc:
        asyncio.run(limiter.acquire("acme", 50.0, sleep=no_sleep, max_wait_s=1))
    assert exc.value.wait_s == pytest.approx(5.0, abs=0.1)


def test_a_request_bigger_than_the_bucket_fails_instead_of_waiting_forever(limiter):
    from worker.errors import CostExceedsBucketError

    async def no_sleep(_s):
        raise AssertionError("must not sleep")

    assert limiter.try_acquire("acme", 150.0).wait_s == -1
    with pytest.raises(CostExceedsBucketError) as exc:
        asyncio.run(limiter.acquire("acme", 150.0, sleep=no_sleep, max_wait_s=100))
    assert exc.value.category == "cost_exceeds_bucket"
