"""Logging and Sentry, configured once per process from the settings."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from settings import AppSettings

# Anything that looks like a Shopify credential is replaced before it leaves the process.
_SECRET = re.compile(r"\b(shp(?:at|ca|pa|ss|ua|rt)_[A-Za-z0-9]+|atkn_[A-Za-z0-9]+)")
_SECRET_KEYS = {"access_token", "api_secret", "refresh_token", "client_secret", "x-shopify-access-token"}


def scrub(value: Any) -> Any:
    """A copy of ``value`` with secret-looking strings and secret-named keys redacted."""
    if isinstance(value, str):
        return _SECRET.sub("[redacted]", value)
    if isinstance(value, dict):
        return {k: "[redacted]" if str(k).lower() in _SECRET_KEYS else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


class _ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, dict):
            record.args = scrub(record.args)
        elif record.args:
            record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
        return True


def setup_logging(settings: AppSettings) -> None:
    """JSON lines (one per event) or readable text on stderr, at the configured level."""
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(_ScrubFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)


def init_sentry(settings: AppSettings, component: str) -> bool:
    """Send errors to Sentry when a DSN is configured; secrets are scrubbed from every event."""
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration

    def before_send(event: Any, _hint: Any) -> Any:
        return scrub(event)

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        integrations=[CeleryIntegration()],
        send_default_pii=False,
        before_send=before_send,
    )
    sentry_sdk.set_tag("component", component)
    return True
