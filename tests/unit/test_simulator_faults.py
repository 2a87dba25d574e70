"""Injected faults: 5xx answers, connection resets and latency, decided before executing."""

import time

import aiohttp
import pytest

from simulator import FaultConfig
from simulator.faults import FaultInjector
from tests.unit.test_simulator_harness import SHOP, graphql, make_state, post, run

CREATE = ("customer_set_small", {"input": {"email": "ada@example.com"}})


@pytest.mark.parametrize("status", [500, 502, 503])
def test_injected_5xx_does_not_write(status):
    state = make_state(faults=FaultConfig(error_rate=1.0, error_statuses=(status,)))
    answer = graphql(state, *CREATE)
    assert answer.status == status
    assert state.shop(SHOP).customers.all() == []
    stats = state.stats()
    assert (stats["by_status"], stats["mutations"]) == ({str(status): 1}, 0)
    assert state.shop(SHOP).bucket.available() == pytest.approx(2000.0)


def test_injected_500_is_shopify_json_with_the_request_id():
    state = make_state(faults=FaultConfig(error_rate=1.0, error_statuses=(500,)))
    answer = graphql(state, *CREATE)
    [error] = answer.body["errors"]
    request_id = answer.headers["X-Request-Id"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert f"Request ID: {request_id}" in error["message"]


def test_injected_502_and_503_are_html_edge_pages():
    state = make_state(faults=FaultConfig(error_rate=1.0, error_statuses=(503,)))
    answer = graphql(state, *CREATE)
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.body is None and "503 Service Unavailable" in answer.text


def test_reset_closes_the_connection_without_an_answer_or_a_write():
    state = make_state(faults=FaultConfig(reset_rate=1.0))

    async def scenario(client):
        with pytest.raises(aiohttp.ClientConnectionError) as caught:
            await post(client, *CREATE)
        return caught.value

    error = run(state, scenario)
    assert isinstance(error, aiohttp.ServerDisconnectedError)
    assert state.shop(SHOP).customers.all() == []
    stats = state.stats()
    assert (stats["connection_resets"], stats["by_status"], stats["mutations"]) == (1, {}, 0)


def test_latency_is_applied():
    state = make_state(faults=FaultConfig(latency_ms=150))
    started = time.perf_counter()
    answer = graphql(state, "shop")
    assert answer.status == 200
    assert time.perf_counter() - started >= 0.15


def test_faults_can_be_replaced_at_runtime():
    state = make_state(faults=FaultConfig(error_rate=1.0, error_statuses=(502,)))

    async def scenario(client):
        first = await post(client, *CREATE)
        state.faults = FaultConfig()
        second = await post(client, *CREATE)
        return first.status, second.status

    assert run(state, scenario) == (502, 200)
    assert len(state.shop(SHOP).customers.all()) == 1


def test_seeded_dice_repeat_and_follow_the_rates():
    config = FaultConfig(error_rate=0.2, reset_rate=0.1, latency_jitter_ms=10, seed=42)
    first = [FaultInjector(config).decide() for _ in range(1)]
    injector_a, injector_b = FaultInjector(config), FaultInjector(config)
    run_a = [injector_a.decide() for _ in range(2000)]
    run_b = [injector_b.decide() for _ in range(2000)]
    assert run_a == run_b and run_a[0] == first[0]
    resets = sum(d.reset for d in run_a) / len(run_a)
    errors = sum(d.error_status is not None for d in run_a) / len(run_a)
    assert 0.07 < resets < 0.13 and 0.16 < errors < 0.24
    assert {d.error_status for d in run_a if d.error_status} == {500, 502, 503}
    assert all(0 <= d.delay_s <= 0.010 for d in run_a)


def test_replacing_the_config_restarts_the_seeded_dice():
    state = make_state()
    config = FaultConfig(error_rate=0.5, seed=7)
    state.faults = config
    first = [state.fault_injector.decide() for _ in range(20)]
    state.faults = config
    assert [state.fault_injector.decide() for _ in range(20)] == first


def test_a_5xx_after_commit_answers_an_error_although_the_write_happened():
    state = make_state(faults=FaultConfig(error_after_commit_rate=1.0, error_statuses=(502,)))
    answer = graphql(state, *CREATE)
    assert answer.status == 502
    assert len(state.shop(SHOP).customers.all()) == 1
    stats = state.stats()
    assert (stats["errors_after_commit"], stats["mutations"], stats["by_status"]) == (1, 1, {"502": 1})


def test_a_5xx_after_commit_spares_requests_that_ran_no_mutation():
    state = make_state(faults=FaultConfig(error_after_commit_rate=1.0))
    assert graphql(state, "shop").status == 200


def test_mutation_time_is_spent_per_mutation_the_request_ran():
    state = make_state(faults=FaultConfig(mutation_time_ms=100))
    started = time.perf_counter()
    assert graphql(state, *CREATE).status == 200
    assert time.perf_counter() - started >= 0.1
    started = time.perf_counter()
    graphql(state, "shop")
    assert time.perf_counter() - started < 0.1
