"""Task messages written with orjson: the same JSON on the wire as Celery's default, several times faster.

Encoding a batch's records with the standard library took about a fifth of a producer's time. Messages
stay ``application/json`` and are read by kombu's own decoder, so workers, Flower and other producers
see no difference. What orjson cannot write the way kombu does (datetimes, decimals, bytes, integers
beyond 64 bits) goes through kombu's encoder; a UUID becomes a plain string, and a NaN null (task
arguments hold neither).
"""

from __future__ import annotations

from typing import Any

import orjson
from kombu import serialization as kombu_serialization
from kombu.utils import json as kombu_json

FAST_JSON = "orjson"
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_kombu_default = kombu_json.JSONEncoder().default


def dumps(data: Any) -> str:
    """``data`` as JSON; kombu's own encoding for what orjson does not write like it."""
    try:
        return orjson.dumps(data, default=_kombu_default, option=_OPTIONS).decode()
    except (orjson.JSONEncodeError, TypeError):
        return kombu_json.dumps(data)


def register() -> None:
    """Make ``FAST_JSON`` a serializer name for writing; reading ``application/json`` stays kombu's."""
    kombu_serialization.register(
        FAST_JSON, dumps, None, content_type="application/json", content_encoding="utf-8"
    )
    # kombu answers control requests (Flower's) with the name registered last for their content type.
    kombu_serialization.registry.type_to_name["application/json"] = "json"  # type: ignore[attr-defined]
