"""What every command needs: settings, the shops file, Redis, and a clean exit on bad configuration."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import redis
import typer

from settings import (
    ENV_PREFIX,
    AppSettings,
    SettingsError,
    ShopsConfig,
    ShopsFileError,
    load_app_settings,
    load_shops,
)
from worker.contract.keys import Keys
from worker.observability import init_sentry, setup_logging

EXIT_FAILED = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``message`` on stderr and exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def app_settings(component: str = "cli") -> AppSettings:
    """Settings from the environment, with logging and Sentry set up; exits on invalid settings."""
    try:
        settings = load_app_settings()
    except SettingsError as exc:
        fail(str(exc))
    setup_logging(settings)
    init_sentry(settings, component)
    return settings


def quiet_record_logs() -> None:
    """Commands with a progress bar show it, not a log line per record, unless a log level was asked for."""
    if ENV_PREFIX + "LOG_LEVEL" not in os.environ:
        # Named loggers too: an embedded Celery worker configures the root logger again when it starts.
        for name in ("", "worker", "celery", "producers"):
            logging.getLogger(name).setLevel(logging.WARNING)


def shops_config(path: Any) -> ShopsConfig:
    """The shops file; exits with its error (which names file, shop and field) when it is invalid."""
    try:
        return load_shops(path)
    except (ShopsFileError, OSError) as exc:
        fail(str(exc))


def redis_client(settings: AppSettings) -> redis.Redis:
    """The configured Redis; exits when it is not set or not reachable."""
    if not settings.redis_url:
        fail("SHOPIFY_SYNC_REDIS_URL is not set (embedded runs keep no state; see their output files)")
    client = redis.Redis.from_url(settings.redis_url)
    try:
        client.ping()
    except redis.RedisError as exc:
        fail(f"cannot reach Redis: {type(exc).__name__}")
    return client


@contextmanager
def redis_state(settings: AppSettings) -> Iterator[tuple[redis.Redis, Keys]]:
    """The configured Redis and the key names, closed afterwards."""
    client = redis_client(settings)
    try:
        yield client, Keys(settings.key_prefix)
    finally:
        client.close()


def echo_json(value: Any) -> None:
    """Print one JSON object on stdout."""
    typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))
