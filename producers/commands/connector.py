"""``spec``, ``check``, ``discover``, ``write``: the Multiwoven connector surface as JSON on stdin/stdout.

Each command prints exactly one protocol message as one JSON line on stdout (logs go to stderr), so a
bridge in any language can drive the connector. Exit status 0 means the message was produced; it says
itself whether the check succeeded or which records failed. Unusable input exits 2, and ``write`` still
prints its tracking message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import redis
import typer

from producers import connector
from producers.commands.common import EXIT_USAGE, app_settings
from producers.connector.outcomes import rejected
from producers.connector.protocol import connection_status
from producers.connector.write import DEFAULT_TIMEOUT_S
from settings import AppSettings

InputFile = Annotated[
    Path | None, typer.Option("--input", "-i", help="Read the JSON input from this file instead of stdin.")
]


def _emit(message: dict[str, Any]) -> None:
    typer.echo(json.dumps(message, ensure_ascii=False, separators=(",", ":")))


def _read(path: Path | None) -> tuple[Any, str | None]:
    """The JSON document on stdin (or in ``path``), or ``(None, problem)``."""
    try:
        text = path.read_text(encoding="utf-8") if path else sys.stdin.read()
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror}"
    try:
        return json.loads(text), None
    except ValueError as exc:
        return None, f"input is not JSON: {exc}"


def spec() -> None:
    """Print the connector_spec message: the JSON Schema of the connection config."""
    app_settings("connector")
    _emit(connector.spec())


def discover() -> None:
    """Print the catalog message: one stream per resource, with its JSON Schema and rate-limit hints."""
    app_settings("connector")
    _emit(connector.discover())


def check(source: InputFile = None) -> None:
    """Read a connection config (JSON object) and print the connection_status message."""
    app_settings("connector")
    config, problem = _read(source)
    if problem:
        _emit(connection_status(False, problem).to_dict())
        raise typer.Exit(EXIT_USAGE)
    _emit(connector.check_connection(config))


def write(
    source: InputFile = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the records to settle.")
    ] = DEFAULT_TIMEOUT_S,
    lines: Annotated[
        bool,
        typer.Option(
            "--lines",
            help="Read one JSON call per line until end of input and print one tracking message per line: "
            "one process (and one Redis connection) for a whole run, instead of one per record.",
        ),
    ] = False,
) -> None:
    """Read {"sync_config", "records", "action"} and print the tracking message (always).

    One log per record says whether it was synced (with its Shopify gid) or why it failed.
    """
    settings = app_settings("connector")
    if lines:
        _write_lines(settings, source, timeout)
        return
    payload, problem = _read(source)
    if problem is None and not (
        isinstance(payload, dict) and "sync_config" in payload and "records" in payload
    ):
        problem = 'input must be a JSON object with "sync_config", "records" and optionally "action"'
    if problem:
        records = payload.get("records") if isinstance(payload, dict) else None
        _emit(rejected(records if isinstance(records, list) else [], problem).to_dict())
        raise typer.Exit(EXIT_USAGE)
    _emit(_write_one(payload, settings, timeout))


def _write_one(payload: Any, settings: AppSettings, timeout: float, client: redis.Redis | None = None) -> Any:
    if not (isinstance(payload, dict) and "sync_config" in payload and "records" in payload):
        problem = 'input must be a JSON object with "sync_config", "records" and optionally "action"'
        records = payload.get("records") if isinstance(payload, dict) else None
        return rejected(records if isinstance(records, list) else [], problem).to_dict()
    action = payload.get("action") or "destination_insert"
    return connector.write(
        payload["sync_config"],
        payload["records"],
        action,
        settings=settings,
        timeout_s=timeout,
        client=client,
    )


def _write_lines(settings: AppSettings, source: Path | None, timeout: float) -> None:
    """One call per input line, each answered on its own output line as soon as it is settled."""
    client = None if settings.embedded else redis.Redis.from_url(settings.redis_url or "")
    stream = source.open(encoding="utf-8") if source else sys.stdin
    try:
        for line in stream:
            if not line.strip():
                continue
            try:
                payload = json.loads(line)
            except ValueError as exc:
                _emit(rejected([], f"input line is not JSON: {exc}").to_dict())
                continue
            _emit(_write_one(payload, settings, timeout, client))
            sys.stdout.flush()
    finally:
        if source:
            stream.close()
        if client is not None:
            client.close()
