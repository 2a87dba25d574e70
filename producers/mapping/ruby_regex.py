r"""Ruby (Onigmo) regular expressions, as Multiwoven's `regex_replace` and `match_regex` see them, for `re`.

Where the two differ and mapping documents notice it, the pattern is rewritten:

- `\w`, `\d`, `\s`, `\b` (and `\W`, `\D`, `\S`, `\B`) are ASCII-only in Ruby: `\w` does not match `é`.
- `\h` / `\H` is a hexadecimal digit / anything else.
- POSIX bracket classes (`[[:alpha:]]`, `[^[:digit:]_]`, `[[:^space:]]`) work, on Unicode letters and
  digits as in Ruby; `upper`, `lower` and `punct` are approximated by Latin-1 and ASCII ranges.
- `\z`, `\Z` and `(?<name>...)` take their Python spellings; `^` and `$` always match at line breaks.

Other syntax is passed to `re` unchanged.
"""

from __future__ import annotations

import functools
import re

# Ruby flag letters; anything else is ignored, as Multiwoven's `flag_option` does.
# Ruby's `m` makes `.` match newlines, which is Python's DOTALL.
_FLAG_BITS = {"i": re.IGNORECASE, "m": re.DOTALL, "x": re.VERBOSE}

_OUTSIDE = {
    r"\w": r"(?a:\w)", r"\W": r"(?a:\W)", r"\d": "[0-9]", r"\D": "[^0-9]", r"\s": r"[ \t\n\v\f\r]",
    r"\S": r"[^ \t\n\v\f\r]", r"\b": r"(?a:\b)", r"\B": r"(?a:\B)", r"\h": "[0-9a-fA-F]",
    r"\H": "[^0-9a-fA-F]", r"\z": r"\Z", r"\Z": r"(?=\n?\Z)",
}  # fmt: skip
# Inside a class: ranges to put in it, or (for negations) a one-character alternative to it.
_INSIDE = {r"\w": "a-zA-Z0-9_", r"\d": "0-9", r"\s": r" \t\n\v\f\r", r"\h": "0-9a-fA-F"}
_INSIDE_NEGATED = {r"\W": "[^a-zA-Z0-9_]", r"\D": "[^0-9]", r"\S": r"[^ \t\n\v\f\r]", r"\H": "[^0-9a-fA-F]"}
_POSIX = {
    "alpha": r"[^\W\d_]", "digit": r"\d", "alnum": r"[^\W_]", "upper": "[A-ZÀ-ÖØ-Þ]", "lower": "[a-zß-öø-ÿ]",
    "space": r"\s", "blank": r"[ \t]", "cntrl": r"[\x00-\x1f\x7f]", "punct": r"[!-/:-@\[-`{-~]",
    "xdigit": "[0-9a-fA-F]", "word": r"\w", "ascii": r"[\x00-\x7f]", "print": r"[^\x00-\x1f\x7f-\x9f]",
    "graph": r"[^\s\x00-\x1f\x7f-\x9f]",
}  # fmt: skip
_POSIX_ITEM = re.compile(r"\[:(\^?)([a-z]+):\]")


@functools.lru_cache(maxsize=512)
def compile_regex(pattern: str, flags: str) -> re.Pattern[str]:
    """Compile a Ruby pattern with Ruby flag letters (`i`, `m`, `x`; others ignored).

    Raises:
        re.error: If the pattern is not valid (an unknown POSIX class included).
    """
    bits = re.MULTILINE
    for letter in flags:
        bits |= _FLAG_BITS.get(letter, 0)
    return re.compile(python_pattern(pattern), bits)


def python_pattern(pattern: str) -> str:
    """The pattern rewritten for Python's `re` (see the module docstring)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            out.append(_OUTSIDE.get(pair, pair))
            i += 2
        elif char == "[":
            text, i = _bracket(pattern, i)
            out.append(text)
        elif pattern.startswith("(?<", i) and pattern[i + 3 : i + 4] not in ("=", "!"):
            out.append("(?P<")
            i += 3
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _bracket(pattern: str, start: int) -> tuple[str, int]:
    """One character class from `pattern[start]` (a `[`): its Python text and the index after it."""
    i = start + 1
    negated = pattern.startswith("^", i)
    i += negated
    items: list[str] = []
    alternatives: list[str] = []
    first = True
    while i < len(pattern) and (pattern[i] != "]" or first):
        first = False
        posix = _POSIX_ITEM.match(pattern, i)
        if posix:
            inverted, name = posix.groups()
            if name not in _POSIX:
                raise re.error(f"unknown POSIX bracket class [:{name}:]", pattern, i)
            alternatives.append(f"(?!{_POSIX[name]})[\\s\\S]" if inverted else _POSIX[name])
            i = posix.end()
            continue
        pair = pattern[i : i + 2]
        if pair == "&&":
            raise re.error("character class intersection '&&' is not supported here", pattern, i)
        if pair in _INSIDE:
            items.append(_INSIDE[pair])
        elif pair in _INSIDE_NEGATED:
            alternatives.append(_INSIDE_NEGATED[pair])
        elif pattern[i] == "\\":
            items.append(pair)
        else:
            items.append("\\[" if pattern[i] == "[" else pattern[i])
            i += 1
            continue
        i += 2
    if i >= len(pattern):
        raise re.error("unterminated character set", pattern, start)
    return _class_text(negated, "".join(items), alternatives), i + 1


def _class_text(negated: bool, items: str, alternatives: list[str]) -> str:
    if not alternatives:
        return f"[{'^' if negated else ''}{items}]"
    union = "|".join(alternatives)
    if negated:
        return f"(?:(?!{union})[^{items}])" if items else f"(?:(?!{union})[\\s\\S])"
    return f"(?:[{items}]|{union})" if items else f"(?:{union})"
