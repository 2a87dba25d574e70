"""Multiwoven's HTTP destination payload: ``{"records": [{"fields": {...}}, ...]}``, or ``{}`` to check.

Records carry no key of their own: ``producers.connector.keying.keyed`` gives each one from its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from producers import json_limits

MAX_RECORDS = 1000
_SYNC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class PayloadError(ValueError):
    """The body is not a usable payload; ``str()`` says why, for the 400 answer."""


@dataclass(frozen=True)
class Payload:
    """A parsed body: ``records`` is None for Multiwoven's connection check (``{}``)."""

    records: list[dict[str, Any]] | None


def parse(body: bytes) -> Payload:
    """Parse a request body.

    Raises:
        PayloadError: Malformed JSON, or not the destination's shape (naming the offending record).
    """
    try:
        document = json_limits.loads(body) if body.strip() else {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError(f"malformed JSON: {exc}") from None
    if not isinstance(document, dict):
        raise PayloadError('body must be a JSON object: {"records": [{"fields": {...}}, ...]}')
    if "records" not in document:
        return Payload(records=None)
    records = document["records"]
    if not isinstance(records, list):
        raise PayloadError('"records" must be a list')
    if len(records) > MAX_RECORDS:
        raise PayloadError(f"too many records in one request: {len(records)} > {MAX_RECORDS}")
    fields: list[dict[str, Any]] = []
    for number, record in enumerate(records):
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            raise PayloadError(f'records[{number}] must be an object with a "fields" object')
        try:
            json_limits.check(record["fields"], f"records[{number}].fields")
        except json_limits.JsonLimitError as exc:
            raise PayloadError(str(exc)) from None
        fields.append(record["fields"])
    return Payload(records=fields)


def valid_sync_id(value: str) -> bool:
    """Sync ids: 1-128 of letters, digits, ``.``, ``_``, ``:``, ``-``, starting with a letter or digit."""
    return _SYNC_ID.fullmatch(value) is not None
