"""Small Ruby semantics the Multiwoven filters rely on, reproduced in Python.

Multiwoven's filters are thin wrappers over Ruby built-ins (`String#to_f`, ActiveModel's
boolean cast, `Regexp`, `String#gsub`, `DateTime.strptime`). Mapping documents are
written against those, so the pieces whose Python counterparts differ live here.
"""

from __future__ import annotations

import functools
import re

# ActiveModel::Type::Boolean::FALSE_VALUES, string members (symbols have no JSON form).
_FALSE_STRINGS = frozenset({"0", "f", "F", "false", "FALSE", "off", "OFF"})

_FLOAT_MANTISSA = re.compile(r"\s*([+-]?)(\d+(?:_\d+)*)?(?:\.(\d+(?:_\d+)*))?")
_FLOAT_EXPONENT = re.compile(r"[eE]([+-]?\d+)")

# Ruby flag letters; anything else is ignored, as Multiwoven's `flag_option` does.
# Ruby's `m` makes `.` match newlines, which is Python's DOTALL.
_FLAG_BITS = {"i": re.IGNORECASE, "m": re.DOTALL, "x": re.VERBOSE}

_STRPTIME_ALIASES = {"%L": "%f", "%N": "%f", "%:z": "%z", "%::z": "%z"}
_STRPTIME_DIRECTIVE = re.compile(r"%(?:::z|:z|-?[A-Za-z%])")


def string_to_f(text: str) -> float:
    """Ruby's `String#to_f`: parse the longest numeric prefix, `0.0` when there is none."""
    mantissa = _FLOAT_MANTISSA.match(text)
    if mantissa is None:  # pragma: no cover - the pattern can match the empty string
        return 0.0
    sign, whole, fraction = mantissa.groups()
    if whole is None and fraction is None:
        return 0.0
    number = f"{sign}{whole or '0'}.{fraction or '0'}".replace("_", "")
    exponent = _FLOAT_EXPONENT.match(text, mantissa.end())
    if exponent is not None:
        number += f"e{exponent.group(1)}"
    return float(number)


def active_model_boolean(value: object) -> bool | None:
    """ActiveModel's boolean cast: `""`/`nil` give `None`, listed false values `False`, else `True`."""
    if value is None or value == "":
        return None
    if value is False or (type(value) is int and value == 0):
        return False
    return not (isinstance(value, str) and value in _FALSE_STRINGS)


@functools.lru_cache(maxsize=512)
def compile_regex(pattern: str, flags: str) -> re.Pattern[str]:
    r"""Compile a Ruby-style pattern with Ruby flag letters.

    Ruby's `^` and `$` always match at line breaks, so `re.MULTILINE` is always on.
    `\z`, `\Z` and `(?<name>...)` are rewritten to their Python spellings; all other
    syntax is passed to `re` unchanged.

    Raises:
        re.error: If the pattern is not valid.

    """
    bits = re.MULTILINE
    for letter in flags:
        bits |= _FLAG_BITS.get(letter, 0)
    return re.compile(_python_pattern(pattern), bits)


def _python_pattern(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            if not in_class and pair == r"\z":
                pair = r"\Z"
            elif not in_class and pair == r"\Z":
                pair = r"(?=\n?\Z)"
            out.append(pair)
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif pattern.startswith("(?<", i) and pattern[i + 3 : i + 4] not in ("=", "!"):
            out.append("(?P<")
            i += 3
            continue
        out.append(char)
        i += 1
    return "".join(out)


def expand_replacement(template: str, match: re.Match[str]) -> str:
    r"""Expand a Ruby `gsub` replacement string for one match.

    Understands `\0`-`\9` and `\&` (groups), `\k<name>`, `` \` `` and `\'`
    (text before / after the match) and `\\`. Other backslashes stay literal, and a
    group that did not take part in the match expands to "", as in Ruby.
    """
    out: list[str] = []
    i = 0
    while i < len(template):
        char = template[i]
        following = template[i + 1] if i + 1 < len(template) else ""
        if char != "\\" or not following:
            out.append(char)
            i += 1
            continue
        if following.isdigit() or following == "&":
            index = 0 if following == "&" else int(following)
            out.append((match.group(index) or "") if index <= match.re.groups else "")
        elif following == "`":
            out.append(match.string[: match.start()])
        elif following == "'":
            out.append(match.string[match.end() :])
        elif following == "\\":
            out.append("\\")
        elif following == "k" and template.startswith("<", i + 2) and ">" in template[i + 3 :]:
            name = template[i + 3 : template.index(">", i + 3)]
            out.append((match.groupdict().get(name) or "") if name in match.re.groupindex else "")
            i += len(name) + 4
            continue
        else:
            out.append(char + following)
        i += 2
    return "".join(out)


def python_strptime_format(ruby_format: str) -> str:
    """Translate the Ruby-only `strptime` directives (`%L`, `%N`, `%:z`, `%-d`, ...) to Python's."""

    def translate(directive: re.Match[str]) -> str:
        text = directive.group(0)
        return _STRPTIME_ALIASES.get(text, text.replace("%-", "%"))

    return _STRPTIME_DIRECTIVE.sub(translate, ruby_format)
