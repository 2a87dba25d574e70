"""A small subset of Shopify's search syntax for the ``query:`` argument of connections.

Supported: ``field:value`` terms (value optionally quoted, ``*`` meaning "has any value"),
a leading ``-`` to negate a term, bare words (matched against the default fields), implicit
``AND`` between terms and ``OR`` between groups. Unsupported operators (ranges, comparators)
are treated as plain values. Matching is case-insensitive; a value matches a field when it
equals it, or - for ``email`` without an ``@`` - when it is a substring (Shopify tokenises
emails, so ``email:gmail.com`` finds ``bo@gmail.com``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"""(-?)(?:([A-Za-z_]+):)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\S+)""")

FieldGetter = Callable[[Mapping[str, Any]], Sequence[str]]


@dataclass(frozen=True)
class Term:
    """One ``[-]field:value`` term; ``field`` is ``None`` for a bare word."""

    field: str | None
    value: str
    negated: bool = False


def parse_query(query: str | None) -> list[list[Term]]:
    """Parse a search string into OR-groups of AND-ed terms (empty list: match all)."""
    groups: list[list[Term]] = [[]]
    for negation, field, raw in _TOKEN.findall(query or ""):
        if not field and raw == "OR":
            groups.append([])
            continue
        if not field and raw == "AND":
            continue
        value = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'" else raw
        groups[-1].append(Term(field.lower() if field else None, value, negated=bool(negation)))
    return [group for group in groups if group]


def matches(
    record: Mapping[str, Any],
    groups: Sequence[Sequence[Term]],
    fields: Mapping[str, FieldGetter],
    default_fields: Sequence[str],
) -> bool:
    """Return whether ``record`` satisfies any group; unknown fields never match."""
    if not groups:
        return True
    return any(all(_term_matches(record, term, fields, default_fields) for term in group) for group in groups)


def _term_matches(
    record: Mapping[str, Any], term: Term, fields: Mapping[str, FieldGetter], default_fields: Sequence[str]
) -> bool:
    names = [term.field] if term.field else list(default_fields)
    found = False
    for name in names:
        getter = fields.get(name)
        if getter is None:
            continue
        if any(
            _value_matches(name, candidate, term.value, term.field is None) for candidate in getter(record)
        ):
            found = True
            break
    return found != term.negated


def _value_matches(field: str, candidate: str, wanted: str, fuzzy: bool) -> bool:
    if not candidate:
        return False
    if wanted == "*":
        return True
    candidate, wanted = candidate.lower(), wanted.lower()
    if candidate == wanted:
        return True
    if fuzzy or (field == "email" and "@" not in wanted):
        return wanted in candidate
    return False
