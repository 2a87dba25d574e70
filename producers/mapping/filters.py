"""Multiwoven's custom Liquid filters (`Liquid::CustomFilters`) for python-liquid 2.

- `cast: 'string'|'number'|'boolean'` - Ruby `to_s`, `to_f`, ActiveModel boolean cast;
  any other type name returns the input unchanged.
- `regex_replace: pattern, replacement, flags` - Ruby `gsub`.
- `match_regex: pattern, flags` - the input when the pattern matches anywhere in it,
  otherwise an error (Multiwoven means to raise here; see docs/mapping.md).
- `to_datetime: format` - `DateTime.strptime(input, format).iso8601`; blank input is
  returned unchanged.

Filters raise Liquid's own `FilterValueError`/`FilterArgumentError` so that a failing
template surfaces as one `LiquidError` at render time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from liquid import Environment, is_undefined
from liquid.exceptions import FilterArgumentError, FilterValueError
from liquid.stringify import to_liquid_string

from producers.mapping import ruby_compat, ruby_regex
from producers.mapping.ruby_strptime import StrptimeError, strptime_iso8601


def cast(value: object, kind: object) -> object:
    """Convert `value` to a string, float or boolean the way Multiwoven does."""
    if kind == "string":
        return _text(value)
    if kind == "number":
        return _to_number(value)
    if kind == "boolean":
        return ruby_compat.active_model_boolean(None if is_undefined(value) else value)
    return value


def regex_replace(value: object, pattern: object, replacement: object = "", flags: object = "") -> str:
    r"""Replace every match of `pattern` in `value`; `replacement` uses Ruby's `\1` syntax."""
    regex = _regex(pattern, flags, "regex_replace")
    template = _text(replacement)
    return regex.sub(lambda match: ruby_compat.expand_replacement(template, match), _text(value))


def match_regex(value: object, pattern: object, flags: object = "") -> object:
    """Return `value` unchanged if `pattern` matches anywhere in it.

    Raises:
        FilterValueError: If it does not match. A missing value (nil) never matches,
            as Ruby's `Regexp#match?(nil)` is false.

    """
    regex = _regex(pattern, flags, "match_regex")
    if value is not None and not is_undefined(value) and regex.search(_text(value)):
        return value
    raise FilterValueError(f"match_regex: {_text(value)!r} does not match /{_text(pattern)}/", token=None)


def to_datetime(value: object, strptime_format: object) -> object:
    """Parse `value` with a Ruby `strptime` format and return ISO 8601 (seconds, with offset).

    A value without an offset is taken as UTC, as Ruby's `DateTime` does.

    Raises:
        FilterValueError: If `value` does not fit the format.

    """
    if _is_blank(value):
        return value
    text = _text(value)
    fmt = _text(strptime_format)
    try:
        return strptime_iso8601(text, fmt)
    except StrptimeError as err:
        raise FilterValueError(
            f"to_datetime: cannot parse {text!r} with format {fmt!r}: {err}", token=None
        ) from err


FILTERS: dict[str, Callable[..., object]] = {
    "cast": cast,
    "regex_replace": regex_replace,
    "match_regex": match_regex,
    "to_datetime": to_datetime,
}


def register(env: Environment) -> None:
    """Add Multiwoven's custom filters to a python-liquid environment."""
    for name, func in FILTERS.items():
        env.add_filter(name, func)


def _text(value: object) -> str:
    if is_undefined(value):
        return ""
    return value if isinstance(value, str) else to_liquid_string(value, autoescape=False)


def _to_number(value: object) -> float:
    if value is None or is_undefined(value):
        return 0.0  # nil.to_f
    if isinstance(value, str):
        return ruby_compat.string_to_f(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    raise FilterValueError(f"cast: cannot convert {type(value).__name__} to a number", token=None)


def _regex(pattern: object, flags: object, filter_name: str) -> re.Pattern[str]:
    try:
        return ruby_regex.compile_regex(_text(pattern), _text(flags))
    except re.error as err:
        message = f"{filter_name}: invalid pattern {_text(pattern)!r}: {err}"
        raise FilterArgumentError(message, token=None) from err


def _is_blank(value: object) -> bool:
    """Ruby's `blank?`: nil, false, whitespace-only strings and empty collections."""
    if value is None or value is False or is_undefined(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return not value
    return False
