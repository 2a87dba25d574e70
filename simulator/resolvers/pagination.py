"""Relay connections (``edges``/``nodes``/``pageInfo``) over in-memory lists.

Cursors are opaque base64 JSON like Shopify's (``{"last_id": ..., "last_value": ...}``).
Shopify (GraphQL-Ruby) caps page sizes at 250; a larger ``first``/``last`` is capped too.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from graphql import GraphQLError

MAX_PAGE_SIZE = 250


def encode_cursor(last_id: int, last_value: Any) -> str:
    """Return an opaque cursor for an item."""
    raw = json.dumps({"last_id": last_id, "last_value": last_value}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> int:
    """Return the item id a cursor points at.

    Raises:
        GraphQLError: When the cursor was not made by :func:`encode_cursor`.

    """
    try:
        return int(json.loads(base64.b64decode(cursor.encode(), validate=True))["last_id"])
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise GraphQLError("Invalid cursor for current pagination sort.") from error


def connection(
    items: Sequence[Mapping[str, Any]],
    args: Mapping[str, Any],
    item_id: Callable[[Mapping[str, Any]], int],
    sort_value: Callable[[Mapping[str, Any]], Any],
) -> dict[str, Any]:
    """Slice ``items`` (already sorted) by ``first/after/last/before`` into a connection.

    Raises:
        GraphQLError: When neither ``first`` nor ``last`` is given, as Shopify answers.

    """
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    ids = [item_id(item) for item in items]
    start, end = 0, len(items)
    if args.get("after") is not None:
        wanted = decode_cursor(args["after"])
        start = ids.index(wanted) + 1 if wanted in ids else sum(1 for i in ids if i <= wanted)
    if args.get("before") is not None:
        wanted = decode_cursor(args["before"])
        end = ids.index(wanted) if wanted in ids else sum(1 for i in ids if i < wanted)
    if first is not None:
        end = min(end, start + max(0, min(int(first), MAX_PAGE_SIZE)))
    if last is not None:
        start = max(start, end - max(0, min(int(last), MAX_PAGE_SIZE)))
    page = list(items[start:end])
    cursors = [encode_cursor(item_id(item), sort_value(item)) for item in page]
    return {
        "edges": [{"cursor": cursor, "node": node} for cursor, node in zip(cursors, page, strict=True)],
        "nodes": page,
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }
