"""What a warehouse row means by "no value", and JSON text in list or object columns.

Warehouse tables are wide and sparse: a blank cell, a SQL NULL, or an object whose every mapped column is
blank (a consent column that is empty for most customers) all mean "this field has no value". The models
drop such values before validating, at every depth, so one optional column never makes a record invalid.

Warehouses (and Multiwoven, which passes JSON columns as text) also hold lists and objects, such as order
line items or addresses, as JSON text in one column. A field typed as a list or an object accepts such a
text: it is parsed, cleaned the same way, then validated like any other value.
"""

from __future__ import annotations

import functools
import json
import types
import typing
from collections.abc import Mapping
from typing import Any, Union

from pydantic import BaseModel


def is_absent(value: object) -> bool:
    """True for ``None``, a blank string, and an object whose fields are all absent (at any depth)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return all(is_absent(v) for v in value.values())
    return False


def is_blank(value: object) -> bool:
    """``is_absent``, or a list of absent values (``["", "", ""]``)."""
    return is_absent(value) or (isinstance(value, list) and all(is_absent(item) for item in value))


def clean_fields(data: Mapping[str, Any], json_fields: frozenset[str]) -> Mapping[str, Any]:
    """``data`` without absent fields or absent objects in its lists, and with ``json_fields`` decoded.

    ``json_fields`` names the fields that hold a list or an object: their JSON text is decoded
    (``decode_json_text``). Returns ``data`` itself when there is nothing to change (no copy), as
    most records have no blank cell.
    """
    for key, value in data.items():
        kind = type(value)
        if kind is str:
            text = value.lstrip()
            if not text or (key in json_fields and text[0] in "[{"):
                break
        elif value is None or (kind is dict and is_absent(value)) or (kind is list and _list_to_clean(value)):
            break
    else:
        return data
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        if key in json_fields:
            value = _decoded(value)
        if is_absent(value):
            continue
        cleaned[key] = _without_absent_items(value) if type(value) is list else value
    return cleaned


def _decoded(value: object) -> object:
    """A JSON text decoded; in a list, each JSON object text decoded (``lineItems[]`` from a JSON column)."""
    if type(value) is str:
        return decode_json_text(value)
    if type(value) is list and any(_is_object_text(item) for item in value):
        decoded = (decode_json_text(item) if _is_object_text(item) else item for item in value)
        return [item for item in decoded if item is not None]
    return value


def _is_object_text(item: object) -> bool:
    return type(item) is str and item.lstrip().startswith("{")


def _list_to_clean(items: list[Any]) -> bool:
    """Whether a list holds an absent object, or a JSON object text (only list fields take one)."""
    return any((type(item) is dict and is_absent(item)) or _is_object_text(item) for item in items)


def _without_absent_items(items: list[Any]) -> list[Any]:
    return [item for item in items if not (type(item) is dict and is_absent(item))]


@functools.cache
def json_fields(model: type[BaseModel]) -> frozenset[str]:
    """The names (alias and Python name) of the fields of ``model`` that hold a list or an object."""
    names: set[str] = set()
    for name, info in model.model_fields.items():
        if accepts_json(info.annotation):
            names.update((name, info.alias or name))
    return frozenset(names)


def accepts_json(annotation: Any) -> bool:
    """Whether a field of this type holds a list or an object (so a JSON text may stand for it)."""
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel | dict | list)
    origin = typing.get_origin(annotation)
    if origin in (list, dict):
        return True
    if origin in (Union, types.UnionType, typing.Annotated):
        return any(accepts_json(arg) for arg in typing.get_args(annotation))
    return False


class BadJsonText(str):
    """A text that starts like JSON but is not JSON; the field's validation refuses it with ``problem``."""

    __slots__ = ("problem",)
    problem: str


def decode_json_text(value: str) -> object:
    """The list or object a JSON text holds, cleaned of absent values; other text is returned unchanged.

    Only text that starts with ``[`` or ``{`` is read as JSON, so a comma-separated tag list stays text.
    Text that starts so but is not JSON comes back as a ``BadJsonText`` that says why.
    """
    text = value.strip()
    if not text.startswith(("[", "{")):
        return value
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as err:
        bad = BadJsonText(value)
        bad.problem = f"is not valid JSON text ({err.msg} at character {err.pos + 1})"
        return bad
    if isinstance(parsed, list):
        return _without_absent_items(parsed)
    if isinstance(parsed, dict) and is_absent(parsed):
        return None
    return parsed
