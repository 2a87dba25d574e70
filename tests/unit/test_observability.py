"""Logs and Sentry events: one JSON line per event with its context, readable text, secrets redacted."""

import json
import logging

import pytest
import sentry_sdk

from settings import AppSettings
from worker import observability
from worker.observability import known_secrets, register_secrets, scrub, setup_logging, tag_task


@pytest.fixture(autouse=True)
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    known = set(observability._known)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    observability._known.clear()
    observability._known.update(known)


def emit(message, *args, **extra):
    logging.getLogger("worker.contract.recorder").info(message, *args, extra=extra)


def test_json_lines_carry_the_context_fields(capsys, tmp_path):
    setup_logging(AppSettings(log_format="json", shops_file=tmp_path / "none.toml"))
    emit(
        "synced",
        shop="acme",
        sync_id="s1",
        resource="customers",
        record="c1",
        outcome="synced",
        gid="gid://shopify/Customer/1",
        request_id="req-1",
        cost=10.0,
    )
    [line] = capsys.readouterr().err.splitlines()
    event = json.loads(line)
    assert event["message"] == "synced" and event["level"] == "INFO"
    assert event["logger"] == "worker.contract.recorder"
    assert {
        k: event[k] for k in ("shop", "sync_id", "resource", "record", "outcome", "request_id", "cost")
    } == {
        "shop": "acme",
        "sync_id": "s1",
        "resource": "customers",
        "record": "c1",
        "outcome": "synced",
        "request_id": "req-1",
        "cost": 10.0,
    }
    assert "time" in event


def test_text_lines_stay_readable(capsys, tmp_path):
    setup_logging(AppSettings(log_format="text", shops_file=tmp_path / "none.toml"))
    emit("dead-lettered: %s", "Email is invalid", shop="acme", record="c7", outcome="dead_lettered")
    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith(
        "worker.contract.recorder: dead-lettered: Email is invalid "
        "[shop=acme record=c7 outcome=dead_lettered]"
    )
    assert "{" not in line


def test_secrets_are_redacted_in_log_lines(capsys, tmp_path, monkeypatch):
    shops = tmp_path / "shops.toml"
    shops.write_text('[[shops]]\nshop_name = "acme"\naccess_token = "${ACME_TOKEN}"\n', encoding="utf-8")
    token = "plain-token-without-prefix-123"
    monkeypatch.setenv("ACME_TOKEN", token)
    setup_logging(
        AppSettings(log_format="json", shops_file=shops, http_bearer_token="bearer-secret-0123456789")
    )
    emit("sent %s with %s", token, "bearer-secret-0123456789", shop="acme", record=f"x{token}")
    emit("shpat_abcdef0123 leaked")
    out = capsys.readouterr().err
    assert token not in out and "bearer-secret" not in out and "shpat_abcdef0123" not in out
    assert out.count("[redacted]") >= 4


def test_known_secrets_come_from_settings_and_the_shops_file(tmp_path, monkeypatch):
    shops = tmp_path / "shops.toml"
    shops.write_text(
        '[[shops]]\nshop_name = "acme"\naccess_token = "${T}"\napi_secret = "${S}"\n', encoding="utf-8"
    )
    monkeypatch.setenv("T", "token-value-1")
    monkeypatch.setenv("S", "secret-value-2")
    settings = AppSettings(
        shops_file=shops, http_bearer_token="bearer-value-3-xxxxxxxx", sentry_dsn="http://k@h/1"
    )
    assert set(known_secrets(settings)) == {
        "token-value-1",
        "secret-value-2",
        "bearer-value-3-xxxxxxxx",
        "http://k@h/1",
    }
    assert known_secrets(AppSettings(shops_file=tmp_path / "missing.toml")) == []


def test_scrub_walks_events():
    register_secrets(["literal-secret-value", None, "short"])
    event = {
        "message": "failed with literal-secret-value",
        "frames": [{"vars": {"headers": {"X-Shopify-Access-Token": "'anything'"}, "short": "short"}}],
        "request": {"headers": {"Authorization": "Bearer x"}},
        "tags": ("shpua_123abc", 3),
    }
    assert scrub(event) == {
        "message": "failed with [redacted]",
        "frames": [{"vars": {"headers": {"X-Shopify-Access-Token": "[redacted]"}, "short": "short"}}],
        "request": {"headers": {"Authorization": "[redacted]"}},
        "tags": ["[redacted]", 3],
    }


def test_tasks_are_tagged_with_shop_sync_and_resource():
    class Task:
        name = "shopify_sync.write_batch"

    with sentry_sdk.isolation_scope() as scope:
        tag_task(task=Task(), args=("acme", "s1", "customers", []))
        assert {k: scope._tags[k] for k in ("shop", "sync_id", "resource")} == {
            "shop": "acme",
            "sync_id": "s1",
            "resource": "customers",
        }
    with sentry_sdk.isolation_scope() as scope:
        tag_task(task=type("Other", (), {"name": "celery.ping"})(), args=("other-shop", "b", "c"))
        assert scope._tags.get("shop") != "other-shop"


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_tracebacks_are_scrubbed_too(capsys, tmp_path, log_format):
    setup_logging(AppSettings(log_format=log_format, shops_file=tmp_path / "none.toml"))
    register_secrets(["traceback-secret-value"])
    try:
        raise RuntimeError("upstream said traceback-secret-value and shpat_abc123")
    except RuntimeError:
        logging.getLogger("worker.tasks").exception("batch failed")
    out = capsys.readouterr().err
    assert "RuntimeError" in out and "traceback-secret-value" not in out and "shpat_abc123" not in out
