import pytest

from simulator.bucket import LeakyBucket
from tests.unit.test_simulator_harness import FakeClock


def make(capacity=100.0, rate=10.0):
    clock = FakeClock()
    return LeakyBucket(capacity, rate, clock), clock


def test_starts_full():
    bucket, _ = make()
    assert bucket.available() == 100.0


def test_reserve_takes_points_and_refuses_when_short():
    bucket, _ = make()
    assert bucket.try_reserve(60)
    assert bucket.available() == 40
    assert not bucket.try_reserve(41)
    assert bucket.available() == 40  # a refused reservation takes nothing
    assert bucket.try_reserve(40)
    assert bucket.available() == 0


def test_restores_continuously_from_the_clock():
    bucket, clock = make()
    bucket.try_reserve(100)
    clock.advance(0.25)
    assert bucket.available() == pytest.approx(2.5)
    clock.advance(1.0)
    assert bucket.available() == pytest.approx(12.5)


def test_restore_caps_at_capacity():
    bucket, clock = make()
    bucket.try_reserve(30)
    clock.advance(60)
    assert bucket.available() == 100.0


def test_refund_gives_back_the_unused_part_but_never_above_capacity():
    bucket, _ = make()
    bucket.try_reserve(50)
    bucket.refund(20)
    assert bucket.available() == 70
    bucket.refund(1000)
    assert bucket.available() == 100
    bucket.refund(-5)  # a negative refund is ignored
    assert bucket.available() == 100


def test_seconds_until_is_the_shortfall_over_the_restore_rate():
    bucket, clock = make()
    bucket.try_reserve(95)
    assert bucket.seconds_until(25) == pytest.approx(2.0)
    assert bucket.seconds_until(5) == 0.0
    clock.advance(2.0)
    assert bucket.try_reserve(25)


def test_status_has_shopify_shape():
    bucket, _ = make(capacity=2000, rate=100)
    bucket.try_reserve(16.5)
    assert bucket.status() == {"maximumAvailable": 2000.0, "currentlyAvailable": 1983, "restoreRate": 100.0}


def test_rejects_nonsense_settings():
    with pytest.raises(ValueError):
        LeakyBucket(0, 10, FakeClock())
    with pytest.raises(ValueError):
        LeakyBucket(10, 0, FakeClock())
