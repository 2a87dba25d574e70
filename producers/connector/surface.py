"""The four calls of a Multiwoven destination, each returning one protocol message as a JSON-ready dict."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import redis
from kombu.exceptions import OperationalError

from producers.connector.catalog import discover as _catalog
from producers.connector.check import CheckFailedError, check
from producers.connector.config import ConfigError, connection_specification, parse_config
from producers.connector.outcomes import rejected
from producers.connector.protocol import ConnectorSpecification, MultiwovenMessage, connection_status
from producers.connector.write import DEFAULT_TIMEOUT_S, WriteRejectedError, execute, pipeline, plan_write
from producers.pipeline.recovery import LostTaskWatch
from settings import AppSettings, SettingsError, load_app_settings
from worker.contract.keys import Keys

log = logging.getLogger(__name__)

DOCUMENTATION_URL = "https://shopify.dev/docs/api/admin-graphql"


def spec() -> dict[str, Any]:
    """The ``connector_spec`` message: the JSON Schema of the connection config."""
    specification = ConnectorSpecification(
        documentation_url=DOCUMENTATION_URL,
        stream_type="static",
        connection_specification=connection_specification(),
        supports_normalization=False,
        supports_dbt=False,
    )
    return MultiwovenMessage(type="connector_spec", connector_spec=specification).to_dict()


def check_connection(config: Any, *, timeout_s: float = 15.0) -> dict[str, Any]:
    """The ``connection_status`` message: token valid, API version served, scopes granted."""
    try:
        parsed = parse_config(config)
    except ConfigError as exc:
        return connection_status(False, f"invalid connection config: {'; '.join(exc.problems)}").to_dict()

    async def run() -> str:
        async with aiohttp.ClientSession() as session:
            return await check(parsed, session, timeout_s=timeout_s)

    try:
        message = asyncio.run(run())
    except CheckFailedError as exc:
        return connection_status(False, str(exc)).to_dict()
    return connection_status(True, message).to_dict()


def discover(_config: Any = None) -> dict[str, Any]:
    """The ``catalog`` message: one stream per resource (the config is not needed)."""
    return _catalog().to_dict()


def write(
    sync_config: Any,
    records: Any,
    action: str = "destination_insert",
    *,
    settings: AppSettings | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    client: redis.Redis | None = None,
) -> dict[str, Any]:
    """The ``tracking`` message, always: success and failed counts and one log per record.

    ``client`` (Redis mode) is a connection kept across calls, as ``shopify-sync write --lines`` does.
    """
    count_as = records if isinstance(records, list) else []
    try:
        settings = settings or load_app_settings()
        plan = plan_write(sync_config, records, action, undo_quotes=settings.multiwoven_undo_quotes)
        with pipeline(settings, plan, client) as client:
            message = execute(
                client,
                Keys(settings.key_prefix),
                plan,
                batch_size=settings.batch_size,
                timeout_s=timeout_s,
                lost_watch=None if settings.embedded else LostTaskWatch(client, plan.shop),
            )
    except (WriteRejectedError, SettingsError) as exc:
        return rejected(count_as, str(exc)).to_dict()
    except (redis.RedisError, OperationalError) as exc:
        log.error("write: Redis failed: %s", type(exc).__name__)
        reason = f"cannot reach Redis or the broker ({type(exc).__name__}): no record was confirmed written"
        return rejected(count_as, reason).to_dict()
    except Exception as exc:
        # Multiwoven fails the whole run on anything but a tracking message: report, then answer.
        log.exception("write failed unexpectedly")
        return rejected(count_as, f"internal error: {type(exc).__name__}").to_dict()
    return message.to_dict()
