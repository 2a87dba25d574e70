"""Small Ruby semantics the Multiwoven filters rely on, reproduced in Python.

Multiwoven's filters are thin wrappers over Ruby built-ins (`String#to_f`, ActiveModel's
boolean cast, `Regexp`, `String#gsub`, `DateTime.strptime`). Mapping documents are
written against those, so the pieces whose Python counterparts differ live here.
"""

from __future__ import annotations

import re

# ActiveModel::Type::Boolean::FALSE_VALUES, string members (symbols have no JSON form).
_FALSE_STRINGS = frozenset({"0", "f", "F", "false", "FALSE", "off", "OFF"})

_FLOAT_MANTISSA = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+(?:_[0-9]+)*)?(?:\.([0-9]+(?:_[0-9]+)*))?")
_FLOAT_EXPONENT = re.compile(r"[eE]([+-]?[0-9]+)")


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
