"""What a worker answers to ``inspect`` (Flower's worker pages, ``/api/workers``): no records, no fake mask.

Celery answers ``inspect scheduled``, ``reserved`` and ``query_task`` with each waiting task's full
arguments, and ``active`` too unless asked for the safe form. A batch's arguments are its records
(customer data), and most batches wait as countdown tasks inside a worker, so every answer about a
request here gives the short forms of ``worker.contract.taskview`` instead.
"""

from __future__ import annotations

from typing import Any

from celery.utils.serialization import strtobool
from celery.worker import control
from celery.worker.request import Request
from kombu.utils.url import maybe_sanitize_url

_celery_conf = control.Panel.data["conf"]


class SafeRequest(Request):
    """A task request that describes itself by its short forms only."""

    def info(self, safe: bool = False) -> Any:
        """What ``inspect`` shows of the request, always the safe form."""
        return super().info(safe=True)


def shown_broker_url(url: str | None) -> str | None:
    """The broker URL as a monitor may show it: its password masked, and only when it has one."""
    return maybe_sanitize_url(url, mask="********") if url else url


@control.inspect_command(
    alias="dump_conf",
    signature="[include_defaults=False]",
    args=[("with_defaults", strtobool)],
)
def conf(state: Any, with_defaults: bool = False, **kwargs: Any) -> Any:
    """List configuration (the broker URL shown with a password mask only when it has a password)."""
    table = _celery_conf(state, with_defaults=with_defaults, **kwargs)
    if isinstance(table, dict) and "broker_url" in table:
        table["broker_url"] = shown_broker_url(state.app.conf.broker_url)
    return table
