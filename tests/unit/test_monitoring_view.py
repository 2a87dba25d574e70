"""What monitors (Flower, `celery inspect`) can read of a batch task: short forms only, a true broker URL."""

import pytest
from celery.contrib.testing.mocks import TaskMessage
from celery.worker import control

from worker.contract import taskview
from worker.contract.broker import BULK_WRITE, REDIS_TRANSPORT, WRITE_BATCH, BrokerConnection
from worker.contract.deadletters import Reason
from worker.inspection import SafeRequest, shown_broker_url

RECORDS = [
    {"key": "r1", "payload": {"email": "ada@example.com", "phone": "+1 415 555 0100"}, "source": {"a": 1}},
]


def test_short_forms_name_shop_sync_resource_count_and_a_readable_time():
    args, kwargs = taskview.safe_view(("acme", "s1", "customers", RECORDS), {"not_before": 1_800_000_000.5})
    assert args == "('acme', 's1', 'customers', '1 record')"
    assert kwargs == "{'not_before': '2027-01-15T08:00:00Z'}"
    assert taskview.safe_view(("acme", "s1", "customers", RECORDS * 7), {})[0].endswith("'7 records')")


@pytest.mark.parametrize("task", [WRITE_BATCH, BULK_WRITE])
def test_every_published_record_task_message_gets_the_short_forms_whoever_sends_it(task):
    # Celery's retry sends no argsrepr: the hook writes the short forms over whatever is there.
    headers = {"argsrepr": repr(RECORDS), "kwargsrepr": "{}"}
    body = (("acme", "s1", "customers", RECORDS), {"not_before": 1_800_000_000.0}, {})
    signal = taskview.signals.before_task_publish
    signal.send(sender=task, body=body, headers=headers)
    assert headers["argsrepr"] == "('acme', 's1', 'customers', '1 record')"
    assert "ada@example.com" not in repr(headers)
    other = {"argsrepr": "('x',)"}
    signal.send(sender="other.task", body=((), {}, {}), headers=other)
    assert other == {"argsrepr": "('x',)"}


def test_shown_text_masks_emails_and_phone_numbers():
    text = taskview.shown_text("Email ada@example.com or +1 (415) 555-0100 is taken")
    assert text == "Email [email] or [number] is taken"
    assert taskview.shown_text("x" * 300, 10) == "x" * 9 + "…"


def test_reason_label_is_one_short_line():
    reason = Reason(
        category="user_error", field="input.email", message="input.email: Email is taken; input.phone: x"
    )
    assert taskview.reason_label(reason) == "user_error on input.email: Email is taken"
    assert taskview.reason_label(Reason(category="validation", message="")) == "validation"


def test_a_request_answers_inspect_with_its_short_forms_even_when_asked_for_everything():
    from worker.tasks import write_batch

    argsrepr, kwargsrepr = taskview.safe_view(("acme", "s1", "customers", RECORDS), {})
    message = TaskMessage(
        WRITE_BATCH,
        id="t1",
        args=("acme", "s1", "customers", RECORDS),
        argsrepr=argsrepr,
        kwargsrepr=kwargsrepr,
    )
    request = SafeRequest(message, app=write_batch.app, task=write_batch)
    for answer in (request.info(), request.info(safe=False), request.info(safe=True)):
        assert answer["args"] == "('acme', 's1', 'customers', '1 record')"
        assert "ada@example.com" not in repr(answer)
    assert "ada@example.com" in repr(request.args)  # the task itself still gets its records


def test_the_tasks_use_the_safe_request_and_inspect_conf_keeps_the_url_honest():
    from worker.bulk.tasks import bulk_write
    from worker.tasks import write_batch

    assert write_batch.Request == "worker.inspection:SafeRequest"
    assert bulk_write.Request == "worker.inspection:SafeRequest"
    assert control.Panel.data["conf"].__module__ == "worker.inspection"
    assert shown_broker_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert shown_broker_url("redis://:pw@127.0.0.1:6379/0") == "redis://:********@127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("url", "shown", "full"),
    [
        ("redis://127.0.0.1:6379/3", "redis://127.0.0.1:6379/3", "redis://127.0.0.1:6379/3"),
        ("redis://:pw@127.0.0.1:6379/3", "redis://:**@127.0.0.1:6379/3", "redis://:pw@127.0.0.1:6379/3"),
    ],
)
def test_the_broker_url_is_redis_for_flower_with_a_mask_only_for_a_password(url, shown, full):
    connection = BrokerConnection(url, transport=REDIS_TRANSPORT)
    assert connection.as_uri() == shown
    assert connection.as_uri(include_password=True) == full
    assert type(connection.transport).__module__ == "worker.contract.transport"
