"""A batch task's end state, as Flower shows it, from what really happened to its records."""

import pytest
from celery.exceptions import Ignore

from tests.unit.test_batch_writer import Harness, ok, user_error
from worker.errors import InvalidTokenError, NetworkError, ServerError, ThrottledError
from worker.retry import RetryPolicy
from worker.taskstate import finish, task_state

EMAILS = ["a@x.io", "b@x.io", "c@x.io"]


def run(script, emails=EMAILS, **harness):
    h = Harness(script, **harness)
    h.writer.in_flight = 1
    return h.run(emails)


def assert_no_record_values(state):
    text = state.headline + repr(state.result)
    for email in EMAILS:
        assert email not in text


def test_everything_written_is_success_with_counts():
    state = task_state(run({e: [ok(i)] for i, e in enumerate(EMAILS)}), 3)
    assert state.state == "SUCCESS" and state.headline == ""
    assert state.result == {
        "records": 3,
        "synced": 3,
        "dead_lettered": 0,
        "superseded": 0,
        "already_synced": 0,
        "deferred": 0,
        "held": 0,
        "retries": 0,
    }


def test_dead_lettered_records_make_a_failure_with_counts_and_leading_reasons():
    taken = user_error(["input", "email"], "Email has already been taken", "TAKEN")
    state = task_state(run({"a@x.io": [ok(1)], "b@x.io": [taken], "c@x.io": [taken]}), 3)
    assert state.state == "FAILURE"
    assert state.headline.startswith("RecordsDeadLettered: 2 of 3 records dead-lettered; ")
    assert "user_error on input.email: Email has already been taken (2)" in state.headline
    assert state.result["synced"] == 1 and state.result["dead_lettered"] == 2
    assert state.result["reasons"] == {"user_error on input.email: Email has already been taken": 2}
    assert_no_record_values(state)


def test_every_record_held_for_an_auth_failure_is_a_shop_failure_naming_the_cause():
    state = task_state(run({"a@x.io": [InvalidTokenError("revoked", status=401)]}), 3)
    assert state.state == "FAILURE"
    assert state.headline == "ShopFailed: invalid_token: 3 of 3 records failed"
    assert state.result["held"] == 3 and state.result["held_for"] == {"invalid_token": 3}


def test_every_record_lost_to_the_network_is_a_shop_failure():
    policy = RetryPolicy(max_attempts=2, base_backoff_s=0.01, max_backoff_s=0.05)
    state = task_state(run({"a@x.io": [NetworkError("reset")] * 2}, ["a@x.io"], policy=policy), 1)
    assert state.state == "FAILURE"
    assert state.headline.startswith("ShopFailed: network_error: 1 of 1 record failed; ")
    assert state.result["retries"] == 1


def test_records_held_after_others_were_written_show_the_pause():
    state = task_state(run({"a@x.io": [ok(1)], "b@x.io": [InvalidTokenError("revoked", status=401)]}), 3)
    assert state.state == "FAILURE"
    assert state.headline == "ShopPaused: invalid_token (2): 2 of 3 records held"


def test_retried_then_written_is_a_retry_with_what_was_retried():
    state = task_state(run({"a@x.io": [ServerError("boom", status=503), ok(1)]}, ["a@x.io"]), 1)
    assert state.state == "RETRY"
    assert state.headline == "RecordsRetried: 1 failed attempt(s) retried (server_error (1))"
    assert state.result["synced"] == 1 and state.result["retried_for"] == {"server_error": 1}


def test_deferred_records_are_a_retry():
    slow = ThrottledError("slow down", retry_after_s=30.0)
    policy = RetryPolicy(max_attempts=3, max_backoff_s=60)
    state = task_state(run({"a@x.io": [slow]}, ["a@x.io"], policy=policy), 1)
    assert state.state == "RETRY"
    assert state.headline.endswith("; 1 record deferred to a later task")


def test_a_batch_booked_for_later_is_a_success_with_its_start_time():
    outcome = run({"a@x.io": [ok(1)]}, ["a@x.io"])
    outcome.synced, outcome.not_before = 0, 1_800_000_000.0
    outcome.deferred = [object()]
    state = task_state(outcome, 1)
    assert state.state == "SUCCESS"
    assert state.result["booked"] == 1 and state.result["starts_at"] == "2027-01-15T08:00:00Z"


class FakeTask:
    def __init__(self, fail=False):
        self.events = []
        self.fail = fail

    def send_event(self, type_, **fields):
        if self.fail:
            raise ConnectionError("broker away")
        self.events.append((type_, fields))


@pytest.mark.parametrize(("failing", "event"), [(True, "task-failed"), (False, "task-retried")])
def test_finish_sends_the_state_as_the_last_event_and_ignores_the_task(failing, event):
    script = (
        {"a@x.io": [user_error(["input", "email"], "bad", "INVALID")]}
        if failing
        else {"a@x.io": [ServerError("boom", status=503), ok(1)]}
    )
    state = task_state(run(script, ["a@x.io"]), 1)
    task = FakeTask()
    with pytest.raises(Ignore):
        finish(task, state, 0.25)
    [(type_, fields)] = task.events
    assert type_ == event
    assert fields["exception"] == state.headline and fields["result"] == repr(state.result)
    assert fields["runtime"] == 0.25


def test_finish_returns_the_result_of_a_success_and_survives_a_lost_event():
    state = task_state(run({"a@x.io": [ok(1)]}, ["a@x.io"]), 1)
    assert finish(FakeTask(), state, 0.1) == state.result
    failed = task_state(run({"a@x.io": [user_error(["input", "email"], "bad", "INVALID")]}, ["a@x.io"]), 1)
    with pytest.raises(Ignore):  # the message is still acknowledged
        finish(FakeTask(fail=True), failed, 0.1)


class CrashingTask:
    def __init__(self, retries):
        self.request = type("Request", (), {"retries": retries})()
        self.retried_with = None

    def retry(self, exc, countdown):
        self.retried_with = (exc, countdown)
        return RuntimeError("retry")


def test_a_crash_shows_its_type_and_a_masked_message_without_the_chain(monkeypatch):
    from worker import tasks

    task = CrashingTask(retries=0)
    crash = KeyError("ada@example.com")
    with pytest.raises(RuntimeError):
        tasks._after_crash(task, None, "acme", "s1", "customers", [], crash)
    shown, countdown = task.retried_with
    assert isinstance(shown, tasks.BatchCrashedError) and countdown > 0
    assert str(shown) == "KeyError: '[email]'"
    assert shown.__cause__ is None and shown.__context__ is None

    dead = []
    monkeypatch.setattr(tasks, "_dead_letter_unsettled", lambda *args: dead.append(args))
    with pytest.raises(tasks.BatchCrashedError) as final:
        tasks._after_crash(CrashingTask(retries=99), None, "acme", "s1", "customers", [], crash)
    assert "ada@example.com" not in str(final.value) and len(dead) == 1
    assert final.value.__context__ is None


@pytest.mark.parametrize("retries", [0, 99])
def test_a_bulk_task_crash_shows_its_type_and_a_masked_message_without_the_chain(monkeypatch, retries):
    from worker.bulk import tasks as bulk_tasks

    class CrashingRuntime:
        def run(self, coroutine):
            coroutine.close()
            raise KeyError("ada@example.com")

    retried = []

    def retry(exc, countdown):
        retried.append((exc, countdown))
        return RuntimeError("retry")

    monkeypatch.setattr(bulk_tasks, "get_runtime", CrashingRuntime)
    monkeypatch.setattr(bulk_tasks.bulk_write, "retry", retry)
    bulk_tasks.bulk_write.push_request(retries=retries)
    try:
        with pytest.raises((RuntimeError, bulk_tasks.BatchCrashedError)) as raised:
            bulk_tasks.bulk_write.run("acme", "s1", "products", [])
    finally:
        bulk_tasks.bulk_write.pop_request()
    shown = retried[0][0] if retries == 0 else raised.value
    assert isinstance(shown, bulk_tasks.BatchCrashedError) and str(shown) == "KeyError: '[email]'"
    assert shown.__cause__ is None and shown.__context__ is None
    assert len(retried) == (1 if retries == 0 else 0)
