"""Mapping entries: parsing each one from the document, and resolving its value for a row."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from liquid import BoundTemplate

from producers.mapping import templates
from producers.mapping.errors import MappingError
from producers.mapping.paths import DestPath, PathError, parse_path

MAPPING_TYPES = ("standard", "static", "template")


class Entry(Protocol):
    """One mapping line: where the value goes and how to get it from a row."""

    @property
    def index(self) -> int:
        """0-based position in the mapping document."""

    @property
    def to(self) -> str:
        """The destination path as written."""

    @property
    def path(self) -> DestPath:
        """The parsed destination path."""

    def resolve(self, row: Mapping[str, object]) -> object:
        """Return the value this entry writes for `row`."""


@dataclass(frozen=True, slots=True)
class StandardEntry:
    """Copy a source column. An absent column gives `None`, like Ruby's `record[key]`.

    Unlike Multiwoven's server, single quotes are NOT doubled.
    """

    index: int
    to: str
    path: DestPath
    column: str

    def resolve(self, row: Mapping[str, object]) -> object:
        """Return the column's value (a copy, if it is a list or object)."""
        return _detached(row.get(self.column))


@dataclass(frozen=True, slots=True)
class StaticEntry:
    """Write a fixed JSON value."""

    index: int
    to: str
    path: DestPath
    value: object

    def resolve(self, row: Mapping[str, object]) -> object:
        """Return a fresh copy of the value, so appends to one record never leak into the next."""
        return _detached(self.value)


@dataclass(frozen=True, slots=True)
class TemplateEntry:
    """Render a Liquid template with the row's columns as variables. The result is a string."""

    index: int
    to: str
    path: DestPath
    source: str
    template: BoundTemplate

    def resolve(self, row: Mapping[str, object]) -> object:
        """Render the template for this row."""
        try:
            return templates.render(self.template, row)
        except templates.TemplateError as err:
            raise MappingError(str(err), field=self.to, entry=self.index) from err


def parse_entries(document: object) -> tuple[Entry, ...]:
    """Turn a v1 object or a v2 array into entries, checking every one.

    Raises:
        MappingError: Naming the first bad entry and what is wrong with it.

    """
    if isinstance(document, Mapping):
        entries: tuple[Entry, ...] = tuple(_parse_v1(i, k, v) for i, (k, v) in enumerate(document.items()))
    elif isinstance(document, list):
        entries = tuple(_parse_v2(i, item) for i, item in enumerate(document))
    else:
        raise MappingError(
            "a mapping must be a JSON object {source_column: destination_path} (v1) "
            f"or a JSON array of {{mapping_type, from, to}} objects (v2), got {json_type(document)}"
        )
    if not entries:
        raise MappingError("the mapping has no entries")
    return entries


def _parse_v1(index: int, column: object, to: object) -> Entry:
    if not isinstance(column, str) or not column:
        raise MappingError(f"source column must be a non-empty string, got {column!r}", entry=index)
    if not isinstance(to, str):
        raise MappingError(
            f"destination path for column {column!r} must be a string, got {json_type(to)}", entry=index
        )
    return StandardEntry(index=index, to=to, path=_path(index, to), column=column)


def _parse_v2(index: int, item: object) -> Entry:
    if not isinstance(item, Mapping):
        raise MappingError(
            f"expected an object with mapping_type, from and to, got {json_type(item)}", entry=index
        )
    kind = item.get("mapping_type")
    if kind not in MAPPING_TYPES:
        expected = ", ".join(repr(name) for name in MAPPING_TYPES)
        found = "it is missing" if "mapping_type" not in item else f"got {kind!r}"
        raise MappingError(f"mapping_type must be one of {expected}; {found}", entry=index)
    to = item.get("to")
    if not isinstance(to, str):
        found = "it is missing" if "to" not in item else f"got {json_type(to)}"
        raise MappingError(f"'to' must be a destination path string; {found}", entry=index)
    path = _path(index, to)
    if "from" not in item:
        raise MappingError(f"'from' is missing (a {kind} entry needs one)", field=to, entry=index)
    source = item["from"]
    if kind == "standard":
        if not isinstance(source, str) or not source:
            raise MappingError(f"'from' must name a source column, got {source!r}", field=to, entry=index)
        return StandardEntry(index=index, to=to, path=path, column=source)
    if kind == "static":
        problem = _json_problem(source)
        if problem:
            raise MappingError(f"static 'from' must be a JSON value: {problem}", field=to, entry=index)
        return StaticEntry(index=index, to=to, path=path, value=copy.deepcopy(source))
    if not isinstance(source, str):
        message = f"template 'from' must be a string, got {json_type(source)}"
        raise MappingError(message, field=to, entry=index)
    try:
        template = templates.compile_template(source)
    except templates.TemplateError as err:
        raise MappingError(str(err), field=to, entry=index) from err
    return TemplateEntry(index=index, to=to, path=path, source=source, template=template)


def _path(index: int, to: str) -> DestPath:
    try:
        return parse_path(to)
    except PathError as err:
        raise MappingError(str(err), field=to, entry=index) from err


def _detached(value: object) -> object:
    return copy.deepcopy(value) if isinstance(value, list | dict) else value


def _json_problem(value: object) -> str | None:
    """Return why `value` is not JSON-representable, or None if it is."""
    if value is None or isinstance(value, str | bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value!r} is not a finite number"
    if isinstance(value, list):
        return next((p for p in map(_json_problem, value) if p), None)
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            return "object keys must be strings"
        return next((p for p in map(_json_problem, value.values()) if p), None)
    return f"{type(value).__name__} is not a JSON type"


def json_type(value: object) -> str:
    """Name a value's type in JSON terms, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__
