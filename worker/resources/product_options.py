"""Option names a product table leaves blank, dropped together with their values.

Shopify's product CSV (and warehouse tables shaped like it) has ``Option1 Name`` .. ``Option3 Name`` and
``Option1 Value`` .. ``Option3 Value`` columns, blank where a product has fewer options. Mapped to
``options[]`` and ``variants[].option1`` .., a one-option product arrives as ``["Size", "", ""]``. A blank
or null name is no option: it is dropped with the value at its position in every variant, and the values
after it move up, so values stay aligned with their names. A product left with no option gets Shopify's
default option when it is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worker.resources.blanks import is_absent

OPTION_KEYS = ("option1", "option2", "option3")


def drop_blank_options(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The product without its blank option names and their variants' values (``data`` when none is blank)."""
    names = data.get("options")
    if not isinstance(names, list) or not any(is_absent(name) for name in names):
        return data
    kept = [i for i, name in enumerate(names) if not is_absent(name)]
    kept += list(range(len(names), len(OPTION_KEYS)))  # values without a name keep their place after
    product = {key: value for key, value in data.items() if key != "options"}
    options = [names[i] for i in kept if i < len(names)]
    if options:
        product["options"] = options
    variants = data.get("variants")
    if isinstance(variants, list):
        product["variants"] = [_realigned(v, kept) if isinstance(v, Mapping) else v for v in variants]
    return product


def _realigned(variant: Mapping[str, Any], kept: list[int]) -> dict[str, Any]:
    values = [variant.get(key) for key in OPTION_KEYS]
    out = {key: value for key, value in variant.items() if key not in OPTION_KEYS}
    for position, index in enumerate(kept):
        if index < len(values) and values[index] is not None:
            out[OPTION_KEYS[position]] = values[index]
    return out
