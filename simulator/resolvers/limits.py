"""Shopify's limit on input arrays: more than 250 entries is a ``MAX_INPUT_SIZE_EXCEEDED`` error.

Observed answer: ``{"message": "The input array size of 371 is greater than the maximum allowed
of 250.", "path": ["articleUpdate", "article", "metafields", "tags"], "extensions": {"code":
"MAX_INPUT_SIZE_EXCEEDED"}}`` - the path is the field, then argument and input-field names
(no indices). ``productSet`` accepts up to 2,048 ``variants``; over a size limit its answer is the
top-level error alone, without a ``data`` key and with ``actualQueryCost: null`` (FACTS.md, "More
observed on live stores", productSet, lines 143-145).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

MAX_INPUT_ARRAY = 250


def check_input_sizes(
    info: GraphQLResolveInfo, args: Mapping[str, Any], limits: Mapping[tuple[str, ...], int] | None = None
) -> None:
    """Raise ``MAX_INPUT_SIZE_EXCEEDED`` for the first input list over its limit.

    Parameters:
        info: The resolver info (for the error's location and path).
        args: The field's coerced arguments.
        limits: Limits other than 250 by path of argument/input-field names, e.g.
            ``{("input", "variants"): 2048}``.

    Raises:
        GraphQLError: When a list is too long (the field then resolves to ``null``).

    """
    found = _too_long(args, (), limits or {})
    if found is None:
        return
    path, size, limit = found
    if info.field_name == "productSet":
        info.context.refused_whole = True
    raise GraphQLError(
        f"The input array size of {size} is greater than the maximum allowed of {limit}.",
        info.field_nodes,
        path=[info.path.key, *path],
        extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
    )


def _too_long(
    value: Any, path: tuple[str, ...], limits: Mapping[tuple[str, ...], int]
) -> tuple[tuple[str, ...], int, int] | None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            found = _too_long(child, (*path, str(key)), limits)
            if found:
                return found
    elif isinstance(value, list):
        limit = limits.get(path, MAX_INPUT_ARRAY)
        if len(value) > limit:
            return path, len(value), limit
        for item in value:
            found = _too_long(item, path, limits)
            if found:
                return found
    return None
