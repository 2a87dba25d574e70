import pytest

from worker.errors import (
    InvalidTokenError,
    MissingScopeError,
    NetworkError,
    SchemaError,
    ServerError,
    ShopUnavailableError,
    ThrottledError,
    UserErrorsError,
)
from worker.retry import Action, RetryPolicy, backoff_s, crash_backoff_s, decide, throttle_delay_s

POLICY = RetryPolicy(max_attempts=4, base_backoff_s=0.5, max_backoff_s=8.0, max_throttles=5)


@pytest.mark.parametrize(
    ("err", "attempt", "action"),
    [
        (ServerError("x"), 1, Action.RETRY),
        (ServerError("x"), 3, Action.RETRY),
        (ServerError("x"), 4, Action.DEAD_LETTER),
        (NetworkError("x"), 2, Action.RETRY),
        (NetworkError("x"), 4, Action.DEAD_LETTER),
        (UserErrorsError("x"), 1, Action.DEAD_LETTER),
        (SchemaError("x"), 1, Action.DEAD_LETTER),
        (InvalidTokenError("x"), 1, Action.PAUSE_SHOP),
        (MissingScopeError("x"), 1, Action.PAUSE_SHOP),
        (ShopUnavailableError("x"), 1, Action.PAUSE_SHOP),
        (ThrottledError("x", retry_after_s=1.0), 99, Action.RETRY),
    ],
)
def test_decide(err, attempt, action):
    assert decide(err, attempt, POLICY, throttles=1, jitter=lambda: 0.5).action is action


def test_throttles_are_bounded_separately():
    err = ThrottledError("x", retry_after_s=1.0)
    assert decide(err, 0, POLICY, throttles=4).action is Action.RETRY
    assert decide(err, 0, POLICY, throttles=5).action is Action.DEAD_LETTER


@pytest.mark.parametrize(
    ("attempt", "jitter", "expected"),
    [
        (1, 1.0, 0.5),
        (2, 1.0, 1.0),
        (3, 1.0, 2.0),
        (5, 1.0, 8.0),
        (10, 1.0, 8.0),
        (3, 0.5, 1.0),
        (3, 0.0, 0.25),  # never below half the base backoff
    ],
)
def test_backoff_is_exponential_capped_and_jittered(attempt, jitter, expected):
    assert backoff_s(attempt, POLICY, jitter=lambda: jitter) == pytest.approx(expected)


def test_throttle_delay_prefers_retry_after():
    err = ThrottledError(
        "x", retry_after_s=2.0, throttle_status={"currentlyAvailable": 0, "restoreRate": 100}
    )
    assert throttle_delay_s(err, 50, POLICY) == 2.0


def test_throttle_delay_from_shortfall():
    err = ThrottledError(
        "x", throttle_status={"currentlyAvailable": 10, "restoreRate": 100, "maximumAvailable": 2000}
    )
    # 40 points missing at 100/s = 0.4 s, plus a small margin
    assert throttle_delay_s(err, 50, POLICY) == pytest.approx(0.45)


def test_throttle_delay_capped_and_defaulted():
    assert throttle_delay_s(ThrottledError("x", retry_after_s=600.0), 10, POLICY) == 8.0
    assert throttle_delay_s(ThrottledError("x"), 10, POLICY) == 1.0


@pytest.mark.parametrize(("retries", "countdown_s"), [(0, 1.0), (1, 2.0), (2, 4.0), (3, None), (9, None)])
def test_crashed_task_backoff(retries, countdown_s):
    assert crash_backoff_s(retries) == countdown_s
