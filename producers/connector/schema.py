"""Plain draft-07 JSON Schemas from pydantic models, in the form Multiwoven's UI reads.

Pydantic writes ``$defs``/``$ref`` and ``anyOf: [X, null]`` for optional fields, and titles derived from
aliases ("Countrycode"). Multiwoven lists a stream's ``properties`` to offer mapping targets, so the
schemas are flattened: references inlined, optional fields as ``"type": [X, "null"]``, readable titles.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def model_schema(model: type[BaseModel], *, by_alias: bool = True) -> dict[str, Any]:
    """The validation schema of ``model``, flattened (see the module docstring)."""
    raw = model.model_json_schema(by_alias=by_alias, mode="validation")
    defs = raw.pop("$defs", {})
    flat = _flatten(raw, defs)
    flat.pop("description", None)
    return {"$schema": DRAFT_07, **flat}


def title_of(name: str) -> str:
    """``countryCode`` or ``country_code`` -> ``Country code``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").split()
    text = " ".join(w.lower() if i else w.capitalize() for i, w in enumerate(words))
    return text or name


def _flatten(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_flatten(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        extra = {k: v for k, v in node.items() if k != "$ref"}
        return _flatten({**target, **extra}, defs)
    out = {k: _flatten(v, defs) for k, v in node.items() if k != "properties"}
    if "properties" in node:
        out["properties"] = {
            name: _titled(name, _flatten(sub, defs)) for name, sub in node["properties"].items()
        }
    return _collapse_nullable(out)


def _titled(name: str, node: dict[str, Any]) -> dict[str, Any]:
    """Replace pydantic's generated title (``"countryCode".title()``); keep one the model set itself."""
    if node.get("title") in (None, name.replace("_", " ").title()):
        node["title"] = title_of(name)
    return node


def _collapse_nullable(node: dict[str, Any]) -> dict[str, Any]:
    options = node.get("anyOf")
    if node.get("default", 0) is None:
        node = {k: v for k, v in node.items() if k != "default"}
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return node
    (kept,) = [o for o in options if o != {"type": "null"}]
    if not isinstance(kept.get("type"), str):
        return node
    merged = {k: v for k, v in node.items() if k != "anyOf"}
    merged.update(kept)
    merged["type"] = [kept["type"], "null"]
    if "title" in node:
        merged["title"] = node["title"]
    return merged
