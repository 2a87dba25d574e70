import asyncio

import pytest

from worker.contract.keys import Keys
from worker.ratelimit.limiter import Booking, ShopLimiter, WaitTooLongError


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


SERVER = {"maximumAvailable": 100, "restoreRate": 10}


def learn(limiter, available=100.0):
    """Reconcile one request with the server's figures, as the first answer from a shop does."""
    limiter.reconcile(limiter.try_acquire("acme", 1.0), {**SERVER, "currentlyAvailable": available}, 1.0)


def test_acquire_refuses_waits_longer_than_allowed(limiter):
    learn(limiter)
    assert limiter.try_acquire("acme", 100.0).granted

    async def no_sleep(_s):
        raise AssertionError("must not sleep")

    with pytest.raises(WaitTooLongError) as exc:
        asyncio.run(limiter.acquire("acme", 50.0, sleep=no_sleep, max_wait_s=1))
    assert exc.value.wait_s == pytest.approx(5.0, abs=0.1)


def test_before_the_first_answer_long_waits_are_short_polls(limiter):
    first = limiter.try_acquire("acme", 100.0)
    sleeps = []

    async def learning_sleep(s):
        sleeps.append(s)
        # Meanwhile the first request's answer arrives: its bucket had points to spare.
        limiter.reconcile(first, {**SERVER, "currentlyAvailable": 100}, 100.0)

    reservation = asyncio.run(limiter.acquire("acme", 50.0, sleep=learning_sleep, max_wait_s=1))
    assert reservation.granted and reservation.learned
    assert sleeps == [pytest.approx(0.5)]


def test_an_answer_older_than_the_last_one_adopted_cannot_raise_the_estimate(limiter):
    learn(limiter, available=100.0)
    older = limiter.try_acquire("acme", 10.0)
    newer = limiter.try_acquire("acme", 10.0)
    # The newer request's answer arrives first: 60 left after both, less the older one still in flight
    # (the server had charged it already: a conservative estimate, corrected by the next fresh answer).
    assert limiter.reconcile(newer, {**SERVER, "currentlyAvailable": 60}, 10.0) == pytest.approx(50, abs=1)
    # The older answer's 70 predates the newer request's charge: it must not raise the estimate.
    assert limiter.reconcile(older, {**SERVER, "currentlyAvailable": 70}, 10.0) == pytest.approx(50, abs=1)
    # A lower figure always wins, whatever its age: the server saw something we did not.
    late = limiter.try_acquire("acme", 10.0)
    assert limiter.reconcile(late, {**SERVER, "currentlyAvailable": 20}, 10.0) == pytest.approx(20, abs=1)


def test_the_unused_part_of_a_reservation_is_refunded(limiter):
    learn(limiter, available=100.0)
    r = limiter.try_acquire("acme", 40.0)
    assert r.available == pytest.approx(60, abs=0.5)
    # An answer without throttleStatus but with its actual cost (12 of the 40 reserved).
    assert limiter.reconcile(r, None, 12.0) == pytest.approx(88, abs=0.5)


def test_batches_are_booked_one_after_another_at_the_restore_rate(limiter):
    learn(limiter, available=100.0)
    # The bucket (100 points, 10/s) covers the first 100 points at once; then one 50-point batch per 5 s.
    assert [round(limiter.book("acme", 50.0).wait_s) for _ in range(4)] == [0, 0, 5, 10]
    assert limiter.book("other-shop", 50.0).wait_s == 0


def test_before_the_first_answer_only_the_assumed_bucket_is_booked(limiter):
    assert limiter.book("acme", 60.0) == Booking(booked=True, wait_s=0.0)
    refused = limiter.book("acme", 60.0)
    assert not refused.booked and refused.wait_s == pytest.approx(1.0)


def test_learning_a_faster_restore_rate_shortens_the_booked_schedule(limiter):
    # Booked at the assumed 10 points/s: 200 points would take 20 s.
    limiter.book("acme", 100.0)
    limiter.reconcile(limiter.try_acquire("acme", 1.0), {"currentlyAvailable": 1000, "maximumAvailable": 1000,
                                                          "restoreRate": 100}, 1.0)  # fmt: skip
    # At 100 points/s the 100 booked points take 1 s, well within the new bucket's 10 s of tolerance.
    assert limiter.book("acme", 500.0).wait_s == 0


def test_a_request_bigger_than_the_bucket_fails_instead_of_waiting_forever(limiter):
    from worker.errors import CostExceedsBucketError

    async def no_sleep(_s):
        raise AssertionError("must not sleep")

    assert limiter.try_acquire("acme", 150.0).wait_s == -1
    with pytest.raises(CostExceedsBucketError) as exc:
        asyncio.run(limiter.acquire("acme", 150.0, sleep=no_sleep, max_wait_s=100))
    assert exc.value.category == "cost_exceeds_bucket"
