"""Multiwoven's protocol messages, field for field as the ``multiwoven-integrations`` gem declares them.

Outgoing messages are built from these models and dumped without ``None`` fields, so every message this
connector prints has exactly the gem's shape. ``SyncConfig`` reads what the server sends and ignores
fields this connector does not use.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MessageType = Literal[
    "record", "log", "connector_spec", "connection_status", "catalog", "control", "tracking"
]
LogLevel = Literal["fatal", "error", "warn", "info", "debug", "trace"]
SyncMode = Literal["full_refresh", "incremental"]
DestinationSyncMode = Literal["insert", "upsert"]
StreamAction = Literal["fetch", "create", "update", "delete"]
RateLimitUnit = Literal["minute", "hour", "day"]
WriteAction = Literal["destination_insert", "destination_update"]
WRITE_ACTIONS: tuple[str, ...] = ("destination_insert", "destination_update")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConnectionStatus(_Out):
    """The answer to ``check_connection``."""

    status: Literal["succeeded", "failed"]
    message: str | None = None


class ConnectorSpecification(_Out):
    """The answer to ``spec``."""

    documentation_url: str | None = None
    changelog_url: str | None = None
    connection_specification: dict[str, Any]
    supports_normalization: bool = False
    supports_dbt: bool = False
    stream_type: Literal["static", "dynamic", "user_defined"]
    supported_destination_sync_modes: list[DestinationSyncMode] | None = None


class LogMessage(_Out):
    """One log entry; in a tracking message ``message`` is a JSON string (see ``record_log``)."""

    level: LogLevel
    message: str
    name: str | None = None
    stack_trace: str | None = None


class Stream(_Out):
    """One writable resource in the catalog."""

    name: str
    action: StreamAction | None = None
    json_schema: dict[str, Any]
    supported_sync_modes: list[SyncMode] = Field(default_factory=lambda: list[SyncMode](["incremental"]))
    source_defined_cursor: bool = False
    request_method: str | None = None
    batch_support: bool = False
    batch_size: int = 1
    request_rate_limit: int | None = None
    request_rate_limit_unit: RateLimitUnit | None = None
    request_rate_concurrency: int | None = None


class Catalog(_Out):
    """The answer to ``discover``."""

    streams: list[Stream]
    request_rate_limit: int = 60
    request_rate_limit_unit: RateLimitUnit = "minute"
    request_rate_concurrency: int = 10
    schema_mode: Literal["schema", "schemaless"] = "schema"
    source_defined_cursor: bool = False


class TrackingMessage(_Out):
    """The answer to ``write``: counts, and one log per record."""

    success: int = 0
    failed: int = 0
    meta: dict[str, Any] | None = None
    logs: list[LogMessage] | None = None


class MultiwovenMessage(_Out):
    """The envelope every answer travels in."""

    type: MessageType
    log: LogMessage | None = None
    connection_status: ConnectionStatus | None = None
    connector_spec: ConnectorSpecification | None = None
    catalog: Catalog | None = None
    tracking: TrackingMessage | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, without absent fields."""
        return self.model_dump(mode="json", exclude_none=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ConnectorRef(_In):
    """``source`` or ``destination`` of a sync config."""

    name: str = ""
    type: Literal["source", "destination"] = "destination"
    connection_specification: dict[str, Any] = Field(default_factory=dict)


class ModelRef(_In):
    """The sync's model; ``primary_key`` names the column that identifies a row."""

    name: str | None = None
    query: str = ""
    query_type: str = "raw_sql"
    primary_key: str | None = None


class StreamRef(_In):
    """The stream the sync writes to: its name is the resource."""

    name: str
    json_schema: dict[str, Any] = Field(default_factory=dict)
    batch_support: bool = False
    batch_size: int = 1


class SyncConfig(_In):
    """What the server passes to ``write``."""

    source: ConnectorRef = Field(default_factory=lambda: ConnectorRef(type="source"))
    destination: ConnectorRef
    model: ModelRef = Field(default_factory=ModelRef)
    stream: StreamRef
    sync_mode: SyncMode = "incremental"
    destination_sync_mode: DestinationSyncMode = "insert"
    sync_id: str = "unknown"
    sync_run_id: str | None = None

    @field_validator("sync_id", "sync_run_id", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        # The server's ids are integers in its database; the protocol passes them as strings.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def record_log(level: LogLevel, name: str, request: Any, response: Any) -> LogMessage:
    """A per-record log in the form Multiwoven's server parses: ``message`` holds a JSON string."""
    as_text = [
        v if isinstance(v, str) else json.dumps(v, default=str, ensure_ascii=False)
        for v in (request, response)
    ]
    body = {"request": as_text[0], "response": as_text[1], "level": level}
    return LogMessage(level=level, name=name, message=json.dumps(body, ensure_ascii=False))


def tracking(success: int, failed: int, logs: list[LogMessage]) -> MultiwovenMessage:
    """The tracking message ``write`` always returns."""
    return MultiwovenMessage(
        type="tracking", tracking=TrackingMessage(success=success, failed=failed, logs=logs)
    )


def connection_status(ok: bool, message: str) -> MultiwovenMessage:
    """The connection status ``check_connection`` returns."""
    status = ConnectionStatus(status="succeeded" if ok else "failed", message=message)
    return MultiwovenMessage(type="connection_status", connection_status=status)
