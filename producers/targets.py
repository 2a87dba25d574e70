"""Which destination paths a resource accepts, read from its input model, for checking mappings early."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Union

from pydantic import BaseModel


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``annotation`` (``list[Model]``, ``Model | None``, ...), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """Accepted names (alias and Python name) -> annotation."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        out[info.alias or name] = info.annotation
        out[name] = info.annotation
    return out


def _is_list(annotation: Any) -> bool:
    return "list[" in str(annotation)


def target_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every leaf path a mapping may write, in Shopify's (alias) names: ``addresses[].city``, ``tags``."""
    paths: list[str] = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        inner = _model_in(info.annotation)
        if inner is not None:
            paths += target_paths(inner, f"{key}[]." if _is_list(info.annotation) else f"{key}.")
        else:
            paths.append(key)
    return paths


def check_target(model: type[BaseModel], path: str) -> str | None:
    """None when ``path`` can be written, else why not, with the closest valid path."""
    current: type[BaseModel] | None = model
    walked: list[str] = []
    segments = path.split(".")
    for segment in segments:
        name = segment.removesuffix("[]")
        if current is None:
            return f"{'.'.join(walked)} has no fields (it is a value), so {path!r} cannot be written"
        fields = _fields(current)
        if name not in fields:
            return _unknown(model, path)
        walked.append(segment)
        current = _model_in(fields[name])
    return None  # a list or object field also takes a whole value: a JSON column (worker.resources.blanks)


def _unknown(model: type[BaseModel], path: str) -> str:
    valid = target_paths(model)
    normalized = path.replace("[]", "")
    close = difflib.get_close_matches(normalized, [v.replace("[]", "") for v in valid], n=1, cutoff=0.5)
    hint = ""
    if close:
        hint = f"; did you mean {valid[[v.replace('[]', '') for v in valid].index(close[0])]!r}?"
    return f"unknown target field {path!r}{hint}"
