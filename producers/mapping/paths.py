"""Destination paths (`to`) and writing a value at one.

The rules are Multiwoven's `UserMapping#extract_destination_mapping`:

- `to` is split on `.`.
- The LAST segment ending in `[]` appends the value to that array (`tags[]`).
- A MIDDLE segment ending in `[]` descends into the array's last element, pushing a new
  object first when the array is empty, so `addresses[].city` and `addresses[].zip`
  fill the same address.
- Any other middle segment descends into (or creates) an object.
- A plain last segment sets the key; a later entry with the same path wins.

Ruby's `||=` treats `nil` and `false` as "absent", so an existing `None` or `False`
is replaced by a new object or array, and a `None`/`False` last array element makes a
new object be pushed. We keep that. Where Ruby would crash on a type clash (e.g.
descending into a string) we raise `PathError` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

ARRAY_MARK = "[]"


class PathError(ValueError):
    """A destination path that is malformed, or that clashes with a value already written."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One dot-separated part of a destination path.

    Attributes:
        name: The key, without the `[]` marker.
        is_array: Whether the segment ended in `[]`.

    """

    name: str
    is_array: bool


DestPath = tuple[Segment, ...]


def parse_path(path: str) -> DestPath:
    """Split and check a destination path.

    Stricter than Multiwoven on malformed paths only: Ruby's `split` silently drops a
    trailing empty segment and `include?("[]")` accepts `a[]b`; both are rejected here.

    Args:
        path: The `to` value, e.g. `addresses[].city`.

    Returns:
        The segments, in order.

    Raises:
        PathError: If the path is empty, has an empty segment, or uses `[]` anywhere
            but once at the end of a segment.

    """
    if not path:
        raise PathError("destination path is empty")
    segments: list[Segment] = []
    for position, raw in enumerate(path.split("."), start=1):
        is_array = raw.endswith(ARRAY_MARK)
        name = raw[: -len(ARRAY_MARK)] if is_array else raw
        if not name:
            raise PathError(f"destination path {path!r} has an empty segment at position {position}")
        if ARRAY_MARK in name:
            raise PathError(f"destination path {path!r}: '[]' may only end a segment, found {raw!r}")
        segments.append(Segment(name=name, is_array=is_array))
    return tuple(segments)


def assign(target: dict[str, object], path: DestPath, value: object) -> None:
    """Write `value` into `target` at `path`, creating objects and arrays on the way.

    Args:
        target: The record being built; modified in place.
        path: Segments from `parse_path`.
        value: The value to set or append.

    Raises:
        PathError: If a value already written has the wrong type for this path
            (e.g. `title` then `title.en`).

    """
    current = target
    *parents, last = path
    for segment in parents:
        current = _descend(current, segment)
    if last.is_array:
        _array_at(current, last.name).append(value)
    else:
        current[last.name] = value


def _descend(current: dict[str, object], segment: Segment) -> dict[str, object]:
    if segment.is_array:
        array = _array_at(current, segment.name)
        tail = array[-1] if array else None
        if _is_ruby_falsy(tail):
            fresh: dict[str, object] = {}
            array.append(fresh)
            return fresh
        if isinstance(tail, dict):
            return tail
        raise PathError(
            f"cannot write into {segment.name!r}: its last element is {type(tail).__name__}, not an object"
        )
    child = current.get(segment.name)
    if _is_ruby_falsy(child):
        child = {}
        current[segment.name] = child
    if isinstance(child, dict):
        return child
    raise PathError(
        f"cannot write into {segment.name!r}: it already holds {type(child).__name__}, not an object"
    )


def _array_at(current: dict[str, object], name: str) -> list[object]:
    existing = current.get(name)
    if _is_ruby_falsy(existing):
        created: list[object] = []
        current[name] = created
        return created
    if isinstance(existing, list):
        return existing
    raise PathError(f"cannot append to {name!r}: it already holds {type(existing).__name__}, not an array")


def _is_ruby_falsy(value: object) -> bool:
    return value is None or value is False
