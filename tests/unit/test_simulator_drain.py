"""``POST /_simulator/shops/{shop}/drain``: empty a shop's bucket so the next requests are THROTTLED."""

import pytest

from simulator import FaultConfig
from tests.unit.test_simulator_harness import SHOP, FakeClock, make_state, post, read, run


def drain_then_query(state, shop=SHOP, body=None):
    async def scenario(client):
        async with client.post(f"/_simulator/shops/{shop}/drain", json=body) as response:
            drained = await read(response)
        return drained, await post(client, "shop")

    return run(state, scenario)


def test_drain_empties_the_bucket_and_the_next_request_is_throttled():
    state = make_state(clock=FakeClock(), bucket_size=1000, restore_rate=50)
    drained, answer = drain_then_query(state)

    assert drained.status == 200
    assert drained.body == {
        "shop": SHOP,
        "throttle_status": {"maximumAvailable": 1000.0, "currentlyAvailable": 0, "restoreRate": 50.0},
    }
    [error] = answer.body["errors"]
    assert error["extensions"]["code"] == "THROTTLED"
    assert state.stats()["throttled"] == 1


def test_a_drained_bucket_refills_at_the_restore_rate():
    clock = FakeClock()
    state = make_state(clock=clock, bucket_size=1000, restore_rate=50)
    state.shop(SHOP).bucket.drain()
    clock.advance(2.0)
    assert state.shop(SHOP).bucket.available() == 100.0


def test_a_hold_keeps_the_bucket_empty_then_it_refills():
    clock = FakeClock()
    state = make_state(clock=clock, bucket_size=1000, restore_rate=50)
    drained, answer = drain_then_query(state, body={"hold_s": 3})
    bucket = state.shop(SHOP).bucket

    assert drained.status == 200 and answer.body["errors"][0]["extensions"]["code"] == "THROTTLED"
    clock.advance(2.0)
    assert bucket.available() == 0.0
    assert bucket.seconds_until(50) == pytest.approx(2.0)  # 1 s of hold left + 1 s to refill 50 points
    clock.advance(2.0)
    assert bucket.available() == 50.0


def test_drain_answers_http_429_when_throttles_are_429s():
    state = make_state(faults=FaultConfig(throttle_response="http429"))
    _, answer = drain_then_query(state)
    assert answer.status == 429 and "Retry-After" in answer.headers


@pytest.mark.parametrize("hold", [-1, "soon", 3601])
def test_drain_refuses_a_bad_hold(hold):
    drained, _ = drain_then_query(make_state(), body={"hold_s": hold})
    assert drained.status == 422 and "hold_s" in drained.body["errors"]


def test_drain_of_an_unknown_shop_is_404():
    drained, _ = drain_then_query(make_state(), shop="nope")
    assert (drained.status, drained.body) == (404, {"errors": "Not Found"})
