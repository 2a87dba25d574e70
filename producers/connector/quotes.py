"""Undo the quote doubling of Multiwoven's v2 ``standard`` mapping.

Multiwoven's server (``ReverseEtl::Transformers::UserMapping#standard_mapping``, release v0.124.0) replaces
every ``'`` of a string value with ``''`` before placing it at its destination path; other values, and
``static`` and ``template`` mappings, pass untouched. So a doubled string has every run of quotes of even
length, and halving each run gives back exactly what the warehouse held. A string with a run of odd
length cannot have come out of that rule (a static or template value): it is left as it is.

The one ambiguity: a static, template or JSON-column value that really holds ``''`` is halved too.
``SHOPIFY_SYNC_MULTIWOVEN_UNDO_QUOTES=false`` (or a shop's ``multiwoven_undo_quotes = false``) turns
the undo off for data like that.
"""

from __future__ import annotations

import re
from typing import Any

_QUOTE_RUN = re.compile(r"'+")


def undo_doubled_quotes(text: str) -> str:
    """``O''Brien`` -> ``O'Brien``; a string Multiwoven could not have doubled comes back unchanged."""
    if "''" not in text:
        return text
    runs = _QUOTE_RUN.findall(text)
    if any(len(run) % 2 for run in runs):
        return text
    return text.replace("''", "'")


def undo_in_record(value: Any) -> Any:
    """``value`` with ``undo_doubled_quotes`` applied to every string in it, at any depth.

    Standard mappings may put a value under a nested path (``addresses[].city``) or append it to a list
    (``tags[]``), so every string leaf is a candidate; keys are the user's paths and are kept.
    """
    if isinstance(value, str):
        return undo_doubled_quotes(value)
    if isinstance(value, dict):
        return {key: undo_in_record(item) for key, item in value.items()}
    if isinstance(value, list):
        return [undo_in_record(item) for item in value]
    return value
