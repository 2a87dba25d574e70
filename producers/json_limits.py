r"""Limits on what a record's JSON may hold, checked where records come in (``serve``, ``write``, files).

Two kinds of input parse as JSON yet break later steps with an exception instead of a clear answer:

- nesting thousands of levels deep: Python's parser, the record digest and the task encoder recurse
  (``RecursionError``; orjson refuses more than 255 levels);
- a string holding a lone UTF-16 surrogate (``"\ud800"`` in JSON): valid JSON escapes, but not Unicode text,
  so it cannot be encoded as UTF-8 for the digest, the task message or Shopify.

No Shopify field nests more than a few levels, so ``MAX_DEPTH`` leaves ample room.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


class JsonLimitError(ValueError):
    """A value beyond the limits; ``str()`` names where (``field.sub[2]``) and why."""


def loads(text: str | bytes) -> Any:
    """``json.loads``, with nesting too deep for the parser reported as a ``ValueError``.

    Raises:
        ValueError: Malformed JSON, or nested too deep to parse.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"JSON nested too deep (more than {MAX_DEPTH} levels are refused)") from None


def check(value: Any, where: str = "") -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` and text that is not valid Unicode, anywhere in ``value``.

    Raises:
        JsonLimitError: Naming the first offending place under ``where``.
    """
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, path)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise JsonLimitError(f"{path or 'value'}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            for key, child in item.items():
                name = f"{path}.{key}" if path else str(key)
                _check_text(str(key), f"{path or 'value'} (a field name)")
                stack.append((child, name, depth + 1))
        else:
            stack.extend((child, f"{path}[{n}]", depth + 1) for n, child in enumerate(item))


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = ord(text[exc.start])
        raise JsonLimitError(
            f"{path or 'value'}: text holds a lone surrogate (U+{bad:04X}), which is not valid Unicode"
        ) from None
