"""What monitors see of a batch task: shop, sync, resource and a record count, never the records.

Celery shows a task's arguments in its events (``argsrepr``/``kwargsrepr`` headers, which Flower lists)
and in the answers to ``inspect`` (``worker.inspection``). The records are customer data (emails,
phones, addresses, source rows), so every message of a task that carries records (``RECORD_TASKS``: the
batch and the bulk task) gets these short forms when it is published: by ``enqueue_batch`` or
``enqueue_bulk``, by Celery's own ``retry``, or by any other path, since the hook below sees each one
(``before_task_publish``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from celery import signals

from worker.contract.broker import BULK_WRITE, WRITE_BATCH
from worker.contract.deadletters import Reason

RECORD_TASKS = frozenset({WRITE_BATCH, BULK_WRITE})  # (shop, sync_id, resource, records, ...) each


def records_count(count: int) -> str:
    """``"1 record"``, ``"7 records"``."""
    return f"{count} record" if count == 1 else f"{count} records"


def iso_time(epoch_s: float) -> str:
    """An epoch time as ISO 8601 in UTC, to the second (``2026-11-28T19:29:57Z``)."""
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def batch_argsrepr(shop: str, sync_id: str, resource: str, records: object) -> str:
    """The arguments as monitors show them: ``('acme', 'sync-1', 'customers', '7 records')``."""
    count = len(records) if isinstance(records, list | tuple) else 0
    return repr((shop, sync_id, resource, records_count(count)))


def batch_kwargsrepr(kwargs: dict[str, Any]) -> str:
    """The keyword arguments as monitors show them; ``not_before`` as a readable time."""
    shown: dict[str, Any] = {}
    for name, value in kwargs.items():
        if name == "not_before" and isinstance(value, int | float):
            shown[name] = iso_time(float(value))
        elif isinstance(value, str | int | float | bool) or value is None:
            shown[name] = value
        else:
            shown[name] = type(value).__name__
    return repr(shown)


def safe_view(args: Any, kwargs: Any) -> tuple[str, str]:
    """``(argsrepr, kwargsrepr)`` of a batch task's arguments, whatever their shape."""
    if isinstance(args, list | tuple) and len(args) >= 4:
        shop, sync_id, resource, records = args[:4]
        argsrepr = batch_argsrepr(str(shop), str(sync_id), str(resource), records)
    else:
        argsrepr = repr((f"{len(args) if isinstance(args, list | tuple) else 0} arguments",))
    return argsrepr, batch_kwargsrepr(kwargs if isinstance(kwargs, dict) else {})


@signals.before_task_publish.connect
def _short_forms(sender: str | None = None, body: Any = None, headers: Any = None, **_: Any) -> None:
    """Put the short forms in every record task's headers, where the worker reads them for events."""
    if sender not in RECORD_TASKS or not isinstance(headers, dict):
        return
    args, kwargs = (body[0], body[1]) if isinstance(body, list | tuple) and len(body) >= 2 else ((), {})
    headers["argsrepr"], headers["kwargsrepr"] = safe_view(args, kwargs)


_EMAIL = re.compile(r"[^\s@'\"<>()]+@[^\s@'\"<>()]+")
_NUMBER = re.compile(r"\+?\d[\d\s().-]{5,}\d")
MAX_LABEL = 120


def shown_text(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` with e-mail addresses and phone-like numbers masked, cut to ``limit`` characters.

    Error messages are Shopify's or ours and name fields, not values; this is for the message that
    quotes a value anyway.
    """
    text = _NUMBER.sub("[number]", _EMAIL.sub("[email]", " ".join(text.split())))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reason_label(reason: Reason) -> str:
    """A dead letter's reason in one short line: ``user_error on email: Email has already been taken``."""
    where = f" on {reason.field}" if reason.field else ""
    message = reason.message.split(";")[0] if reason.message else ""
    if reason.field:
        message = message.removeprefix(f"{reason.field}: ")
    return shown_text(f"{reason.category}{where}: {message}" if message else f"{reason.category}{where}")
