"""Task messages written with orjson read back exactly as kombu's own JSON would."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from kombu.serialization import dumps as kombu_dumps
from kombu.serialization import loads as kombu_loads
from kombu.utils import json as kombu_json

from worker.contract import serialization
from worker.contract.broker import celery_app

RECORDS = [
    {
        "key": "c1",
        "payload": {"email": "ada@example.com", "tags": ["vip"], "addresses": [{"city": "Montréal"}]},
        "source": {"id": 1, "score": 0.5, "active": True, "note": None, "emoji": "🛍️"},
        "attempts": 0,
        "throttles": 0,
    }
]


def read(data: object) -> object:
    content_type, encoding, body = kombu_dumps(data, serializer=serialization.FAST_JSON)
    assert (content_type, encoding) == ("application/json", "utf-8")
    return kombu_loads(body, content_type, encoding)


def test_task_arguments_read_back_as_kombu_writes_them():
    body = [["shop", "sync-1", "customers", RECORDS], {"not_before": 12.5}, {"callbacks": None}]
    assert read(body) == kombu_json.loads(kombu_json.dumps(body)) == json.loads(json.dumps(body))


@pytest.mark.parametrize(
    "value",
    [datetime(2026, 11, 29, 1, 2, 3, tzinfo=UTC), Decimal("19.99"), b"\x00\x01", 2**70, {1: "non-str key"}],
)
def test_what_orjson_writes_differently_goes_through_kombu(value):
    assert read({"value": value}) == kombu_json.loads(kombu_json.dumps({"value": value}))


def test_the_app_writes_tasks_with_it_and_reads_plain_json():
    assert celery_app.conf.task_serializer == serialization.FAST_JSON
    assert celery_app.conf.accept_content == ["json"]
    assert kombu_loads(json.dumps(RECORDS), "application/json", "utf-8") == RECORDS  # other producers
