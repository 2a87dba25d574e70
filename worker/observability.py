"""Logging and Sentry, configured once per process from the settings, with secrets kept out of both."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import Any

from pydantic import SecretStr
from pythonjsonlogger.json import JsonFormatter

from settings import AppSettings, ShopsFileError, load_shops

# Anything that looks like a Shopify credential is replaced before it leaves the process.
_SECRET = re.compile(r"\b(shp(?:at|ca|pa|ss|ua|rt)_[A-Za-z0-9]+|atkn_[A-Za-z0-9]+)")
_SECRET_KEYS = {
    "access_token",
    "api_secret",
    "refresh_token",
    "client_secret",
    "x-shopify-access-token",
    "authorization",
    "http_bearer_token",
    "sentry_dsn",
}
REDACTED = "[redacted]"
# Literal secret values this process knows (tokens from its shops file, the HTTP bearer token): they are
# redacted wherever they appear, even when they do not look like a Shopify token.
_known: set[str] = set()
_MIN_SECRET_LEN = 8  # shorter values would redact ordinary words

# Context fields the workers and producers attach to log records (``extra=``); the text format shows them.
CONTEXT_FIELDS = ("shop", "sync_id", "resource", "record", "outcome", "category", "request_id", "cost", "gid")


def register_secrets(values: Iterable[str | SecretStr | None]) -> None:
    """Redact these exact values from every log line and Sentry event of this process."""
    for value in values:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text and len(text) >= _MIN_SECRET_LEN:
            _known.add(text)


def known_secrets(settings: AppSettings) -> list[str]:
    """The secrets a process started with ``settings`` may hold: the bearer token and the shops' tokens."""
    found = [s.get_secret_value() for s in (settings.http_bearer_token, settings.sentry_dsn) if s]
    if settings.credentials_key is not None:  # the whole value and each of its keys
        keys = settings.credentials_key.get_secret_value()
        found += [keys, *(key.strip() for line in keys.splitlines() for key in line.split(","))]
    try:
        shops = load_shops(settings.shops_file)
    except (ShopsFileError, OSError):
        return found  # the command that needs the file reports its problems
    for shop in shops:
        found += [s.get_secret_value() for s in (shop.access_token, shop.api_secret) if s]
    return found


def scrub(value: Any) -> Any:
    """A copy of ``value`` with secret-looking strings, known secrets and secret-named keys redacted."""
    if isinstance(value, str):
        for secret in _known:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return _SECRET.sub(REDACTED, value)
    if isinstance(value, dict):
        return {k: REDACTED if str(k).lower() in _SECRET_KEYS else scrub(v) for k, v in value.items()}
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
        for name in CONTEXT_FIELDS:
            if isinstance(getattr(record, name, None), str):
                setattr(record, name, scrub(getattr(record, name)))
        return True


class JsonLineFormatter(JsonFormatter):
    """One JSON object per event; tracebacks scrubbed like messages."""

    def formatException(self, ei: Any) -> str:
        """The traceback, with secrets redacted (an exception's text is not under our control)."""
        return str(scrub(super().formatException(ei)))


class TextFormatter(logging.Formatter):
    """Readable lines for a terminal: the message, then the context fields that are set, as key=value."""

    def formatException(self, ei: Any) -> str:
        """The traceback, with secrets redacted."""
        return str(scrub(super().formatException(ei)))

    def format(self, record: logging.LogRecord) -> str:
        """The standard line, with `` [key=value ...]`` before any traceback."""
        line = super().format(record)
        context = [
            f"{n}={getattr(record, n)}" for n in CONTEXT_FIELDS if getattr(record, n, None) is not None
        ]
        if not context:
            return line
        head, newline, rest = line.partition("\n")  # keep a traceback below the context
        return f"{head} [{' '.join(context)}]{newline}{rest}"


def setup_logging(settings: AppSettings) -> None:
    """JSON lines (one per event, context fields as keys) or readable text on stderr, at the set level."""
    register_secrets(known_secrets(settings))
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(
            JsonLineFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(_ScrubFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)


def _before_send(event: Any, _hint: Any) -> Any:
    return scrub(event)


def _before_breadcrumb(crumb: Any, _hint: Any) -> Any:
    return scrub(crumb)


def init_sentry(settings: AppSettings, component: str) -> bool:
    """Send errors to Sentry when a DSN is configured; secrets are scrubbed from every event.

    The Celery integration reports task failures, the aiohttp one failures of the HTTP producer, and the
    logging integration (on by default) every ``log.error``/``log.exception``. A second call keeps the
    client of the first (an embedded worker starts inside a CLI process that set Sentry up already; a
    forked pool process restarts the inherited client's sender thread by itself).
    """
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.aiohttp import AioHttpIntegration
    from sentry_sdk.integrations.celery import CeleryIntegration

    register_secrets(known_secrets(settings))
    if sentry_sdk.get_client().is_active():
        return True
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        # The producer's deliberate 5xx answers are reported by the log.exception beside them, once.
        integrations=[CeleryIntegration(), AioHttpIntegration(failed_request_status_codes=set())],
        send_default_pii=False,
        max_request_body_size="never",  # the HTTP producer's bodies are customer records
        before_send=_before_send,
        before_breadcrumb=_before_breadcrumb,
    )
    sentry_sdk.set_tag("component", component)
    return True


def tag_scope(*, shop: str | None = None, sync_id: str | None = None, resource: str | None = None) -> None:
    """Tag the current Sentry scope (a task, a request) with what it works on; a no-op without Sentry."""
    import sentry_sdk

    for name, value in (("shop", shop), ("sync_id", sync_id), ("resource", resource)):
        if value is not None:
            sentry_sdk.set_tag(name, value)


def tag_task(*, task: Any = None, args: Any = None, **_: Any) -> None:
    """Celery ``task_prerun`` handler: tag the task's Sentry scope with its shop, sync and resource."""
    # Every task of this project takes (shop, sync_id, resource, ...).
    if (
        task is not None
        and str(getattr(task, "name", "")).startswith("shopify_sync.")
        and len(args or ()) >= 3
    ):
        tag_scope(shop=str(args[0]), sync_id=str(args[1]), resource=str(args[2]))
