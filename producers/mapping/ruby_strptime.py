"""Ruby's ``DateTime.strptime(text, format).iso8601``, which Multiwoven's ``to_datetime`` filter calls.

Ruby's parser is more lenient than Python's ``datetime.strptime`` in ways mapping documents rely on:

- text after the format's last directive is ignored (Multiwoven's own spec turns ``"1/26/2024 9:20 AM"``
  with ``'%m/%d/%Y %H:%M'`` into ``2024-01-26T09:20:00+00:00``);
- numbers need not be zero-padded, and ``%b``/``%B``/``%h`` and ``%a``/``%A`` all take full and short
  names, in any case;
- a space in the format matches any run of whitespace, or none;
- ``%s`` / ``%Q`` (seconds / milliseconds since the epoch), ``%F``, ``%T``, ``%R``, ``%D``, ``%c``,
  ``%x``, ``%X``, ``%r``, ``%z``/``%Z`` with zone names (``UTC``, ``EST``, ...), ``%L``/``%N``;
- a flag such as ``%-d`` is no directive in Ruby's ``strptime``: the text never matches.

A time without a date is on today's date (UTC), as in Ruby; a value without an offset is UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")  # fmt: skip
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ZONES = {"utc": 0, "gmt": 0, "ut": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7,
         "mdt": -6, "pst": -8, "pdt": -7, "cet": 1, "cest": 2, "eet": 2, "eest": 3, "bst": 1, "ist": 5.5,
         "jst": 9, "hst": -10, "akst": -9, "akdt": -8, "wet": 0, "west": 1}  # fmt: skip
COMPOSITES = {"F": "%Y-%m-%d", "T": "%H:%M:%S", "R": "%H:%M", "D": "%m/%d/%y", "x": "%m/%d/%y",
              "X": "%H:%M:%S", "r": "%I:%M:%S %p", "c": "%a %b %e %H:%M:%S %Y", "v": "%e-%b-%Y",
              "+": "%a %b %e %H:%M:%S %Z %Y"}  # fmt: skip
# Numeric directives: (field, most digits). %Y takes any number of digits unless a number follows.
NUMBERS = {"m": ("mon", 2), "d": ("mday", 2), "e": ("mday", 2), "H": ("hour", 2), "k": ("hour", 2),
           "I": ("hour", 2), "l": ("hour", 2), "M": ("min", 2), "S": ("sec", 2), "j": ("yday", 3),
           "y": ("year2", 2), "C": ("century", 2), "u": ("wday", 1), "w": ("wday", 1), "U": ("week", 2),
           "W": ("week", 2), "V": ("week", 2), "G": ("year", 4)}  # fmt: skip
_ZONE = re.compile(
    r"(?:(?:gmt|utc)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)|([a-z]+)(?![a-z])", re.IGNORECASE
)
_SPACE = " \t\n\v\f\r"


class StrptimeError(ValueError):
    """The text does not fit the format (Ruby: ``Date::Error: invalid date``)."""


def strptime_iso8601(text: str, ruby_format: str) -> str:
    """``DateTime.strptime(text, ruby_format).iso8601``: e.g. ``2024-01-26T09:20:00+00:00``.

    Raises:
        StrptimeError: Saying what did not fit.
    """
    fields: dict[str, int | float] = {}
    _parse(text, 0, _expand(ruby_format), fields)
    return _build(fields).isoformat(timespec="seconds")


def _expand(fmt: str) -> str:
    for _ in range(3):  # composites nest at most once (%c holds %e)
        fmt = re.sub(r"%([FTRDxXrcv+])", lambda m: COMPOSITES[m.group(1)], fmt)
    return fmt


def _parse(text: str, pos: int, fmt: str, fields: dict[str, int | float]) -> int:
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char in _SPACE:
            while pos < len(text) and text[pos] in _SPACE:
                pos += 1
            i += 1
            continue
        if char != "%" or i + 1 == len(fmt):
            if not text.startswith(char, pos):
                raise StrptimeError(f"expected {char!r} at character {pos + 1}")
            pos += 1
            i += 1
            continue
        directive = fmt[i + 1]
        if directive == ":" and fmt.startswith(("%:z", "%::z"), i):
            directive = "z"
            i += fmt.index("z", i) - i - 1
        next_is_digit = _number_follows(fmt, i + 2)
        pos = _directive(directive, text, pos, fields, next_is_digit)
        i += 2
    return pos


def _number_follows(fmt: str, i: int) -> bool:
    return fmt[i : i + 1].isdigit() or (fmt[i : i + 1] == "%" and fmt[i + 1 : i + 2] in "YmdeHkIlMSjyCLNsQ")


def _directive(d: str, text: str, pos: int, fields: dict[str, int | float], next_is_digit: bool) -> int:
    if d == "%":
        if not text.startswith("%", pos):
            raise StrptimeError(f"expected '%' at character {pos + 1}")
        return pos + 1
    if d in "nt":
        while pos < len(text) and text[pos] in _SPACE:
            pos += 1
        return pos
    if d in NUMBERS:
        name, width = NUMBERS[d]
        if d in "ekl" and text.startswith(" ", pos):
            pos += 1
        value, pos = _digits(text, pos, width)
        fields[name] = value
        return pos
    if d == "Y":
        sign = -1 if text.startswith("-", pos) else 1
        pos += text.startswith(("-", "+"), pos)
        value, pos = _digits(text, pos, 4 if next_is_digit else 10)
        fields["year"] = sign * value
        return pos
    if d in "sQ":
        sign = -1 if text.startswith("-", pos) else 1
        value, pos = _digits(text, pos + (sign < 0), 20)
        fields["epoch"] = sign * value / (1000 if d == "Q" else 1)
        return pos
    if d in "LN":
        start = pos
        value, pos = _digits(text, pos, 3 if d == "L" and next_is_digit else 30)
        fields["fraction"] = value / 10 ** (pos - start)
        return pos
    if d in "bBh":
        fields["mon"], pos = _name(text, pos, MONTHS, FULL_MONTHS, "month")
        return pos
    if d in "aA":
        _, pos = _name(text, pos, DAYS, FULL_DAYS, "weekday")
        return pos
    if d in "pP":
        match = re.compile(r"([ap])\.?m\.?", re.IGNORECASE).match(text, pos)
        if not match:
            raise StrptimeError(f"expected AM or PM at character {pos + 1}")
        fields["pm"] = int(match.group(1).lower() == "p")
        return match.end()
    if d in "zZ":
        return _zone(text, pos, fields)
    raise StrptimeError(f"'%{d}' is not a strptime directive in Ruby")


def _digits(text: str, pos: int, width: int) -> tuple[int, int]:
    end = pos
    while end < len(text) and end - pos < width and "0" <= text[end] <= "9":
        end += 1
    if end == pos:
        raise StrptimeError(f"expected a number at character {pos + 1}")
    return int(text[pos:end]), end


def _name(text: str, pos: int, short: tuple[str, ...], full: tuple[str, ...], what: str) -> tuple[int, int]:
    lowered = text[pos : pos + 9].lower()
    for index, name in enumerate(full):
        if lowered.startswith(name):
            return index + 1, pos + len(name)
    for index, name in enumerate(short):
        if lowered.startswith(name):
            return index + 1, pos + len(name)
    raise StrptimeError(f"expected a {what} name at character {pos + 1}")


def _zone(text: str, pos: int, fields: dict[str, int | float]) -> int:
    match = _ZONE.match(text, pos)
    if match is None:
        raise StrptimeError(f"expected a time zone at character {pos + 1}")
    sign, hours, minutes, seconds, name = match.groups()
    if name is not None:
        if name.lower() not in ZONES:
            raise StrptimeError(f"unknown time zone {name!r}")
        fields["offset"] = ZONES[name.lower()] * 3600
    else:
        total = int(hours) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)
        fields["offset"] = -total if sign == "-" else total
    return match.end()


def _build(f: dict[str, int | float]) -> datetime:
    zone = timezone(timedelta(seconds=int(f.get("offset", 0))))
    if "epoch" in f:
        return datetime.fromtimestamp(int(f["epoch"]), tz=UTC).astimezone(zone)
    today = datetime.now(UTC)
    year = int(f["year"]) if "year" in f else None
    if year is None and "year2" in f:
        century = int(f["century"]) if "century" in f else (19 if f["year2"] >= 69 else 20)
        year = century * 100 + int(f["year2"])
    has_date = year is not None or "mon" in f or "mday" in f or "yday" in f
    hour = int(f.get("hour", 0))
    if "pm" in f:
        hour = hour % 12 + 12 * int(f["pm"])
    try:
        if not has_date:
            day = today.date()
            return datetime(day.year, day.month, day.day, hour, int(f.get("min", 0)), int(f.get("sec", 0)),
                            tzinfo=zone)  # fmt: skip
        year = year if year is not None else today.year
        if "yday" in f and "mon" not in f:
            start = datetime(year, 1, 1, hour, int(f.get("min", 0)), int(f.get("sec", 0)), tzinfo=zone)
            moment = start + timedelta(days=int(f["yday"]) - 1)
            if moment.year != year:
                raise StrptimeError("day of the year out of range")
            return moment
        return datetime(year, int(f.get("mon", 1)), int(f.get("mday", 1)), hour, int(f.get("min", 0)),
                        int(f.get("sec", 0)), tzinfo=zone)  # fmt: skip
    except (ValueError, OverflowError) as err:
        raise StrptimeError(f"invalid date ({err})") from None
