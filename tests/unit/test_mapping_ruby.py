"""Liquid templates give what Multiwoven's Ruby code gives (Liquid 5.4 on Rails): regex classes,
`first`/`last` on strings, Ruby's `strptime`, `String#to_f`, and a `}` inside `{{ ... }}`."""

import pytest

from producers.mapping import Mapping, MappingError


def render(source: str, row: dict[str, object]) -> object:
    return Mapping.parse([{"mapping_type": "template", "from": source, "to": "out"}]).apply(row)["out"]


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("\\w+", "café", "X\u00e9"),  # \w is ASCII in Ruby
        ("\\d", "4\u0664", "X\u0664"),  # Arabic-Indic digit is no \d
        ("\\s", "a\u00a0b c", "a\u00a0bXc"),  # no-break space is no \s
        ("[[:alpha:]]+", "Zoë 12", "X 12"),  # POSIX classes work, on Unicode letters
        ("[^[:digit:]]", "a1b2", "X1X2"),
        ("[[:^space:]]+", "ab cd", "X X"),
        ("[[:upper:]]", "aBc", "aXc"),
        ("[[:punct:]]", "a,b!", "aXbX"),
        ("[\\w-]+", "ab-c é", "X é"),
        ("\\h+", "ff zz", "X zz"),
        ("[^\\W]+", "ab é", "X é"),
    ],
)
def test_regex_classes_follow_ruby(pattern: str, value: str, expected: str) -> None:
    source = f"{{% assign p = '{pattern}' %}}{{{{ v | regex_replace: p, 'X' }}}}"
    assert render(source, {"v": value}) == expected


def test_unknown_posix_class_fails_the_row_with_a_clear_error() -> None:
    with pytest.raises(MappingError, match=r"unknown POSIX bracket class \[:alfa:\]"):
        render("{{ v | match_regex: '[[:alfa:]]' }}", {"v": "x"})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ v | first }}", "h"),
        ("{{ v | last }}", "o"),
        ("{{ v.first }}{{ v.last }}", "ho"),
        ("{{ e | first }}", ""),
        ("{{ a | first }}", "1"),
    ],
)
def test_first_and_last_on_strings_are_characters_as_with_rails(source: str, expected: str) -> None:
    assert render(source, {"v": "héllo", "e": "", "a": [1, 2]}) == expected


@pytest.mark.parametrize(
    ("fmt", "value", "expected"),
    [
        ("%m/%d/%Y %H:%M", "1/26/2024 9:20 AM", "2024-01-26T09:20:00+00:00"),  # Multiwoven's own spec
        ("%m/%d/%Y %H:%M", "1/26/2024 9:20", "2024-01-26T09:20:00+00:00"),
        ("%d %b %Y", "26 January 2024", "2024-01-26T00:00:00+00:00"),
        ("%d %B %Y", "26 jan 2024", "2024-01-26T00:00:00+00:00"),
        ("%A %d %B %Y", "fri 26 JAN 2024", "2024-01-26T00:00:00+00:00"),
        ("%s", "1700000000", "2023-11-14T22:13:20+00:00"),
        ("%Q", "1700000000123", "2023-11-14T22:13:20+00:00"),
        ("%F", "2024-02-24", "2024-02-24T00:00:00+00:00"),
        ("%F %T", "2024-02-24 12:30:05", "2024-02-24T12:30:05+00:00"),
        ("%F %R %Z", "2024-02-24 12:30 EST", "2024-02-24T12:30:00-05:00"),
        ("%FT%T%z", "2024-02-24T12:30:05Z", "2024-02-24T12:30:05+00:00"),
        ("%FT%T%z", "2024-02-24T12:30:05+0530", "2024-02-24T12:30:05+05:30"),
        ("%Y-%m-%d %I:%M %p", "2024-02-24 12:05 am", "2024-02-24T00:05:00+00:00"),
        ("%d/%m/%y", "24/02/24", "2024-02-24T00:00:00+00:00"),
        ("%Y-%j", "2024-055", "2024-02-24T00:00:00+00:00"),
        ("%Y %m %d", "2024   2  4", "2024-02-04T00:00:00+00:00"),
    ],
)
def test_to_datetime_parses_like_ruby_strptime(fmt: str, value: str, expected: str) -> None:
    assert render(f"{{{{ v | to_datetime: '{fmt}' }}}}", {"v": value}) == expected


@pytest.mark.parametrize(
    ("fmt", "value", "reason"),
    [
        ("%-d.%m.%Y", "4.02.2024", "'%-' is not a strptime directive in Ruby"),
        ("%Y-%m-%d", "2024-02-30", "invalid date"),
        ("%d %b %Y", "26 Foo 2024", "expected a month name"),
        ("%F %Z", "2024-02-24 Mars/Base", "unknown time zone"),
    ],
)
def test_to_datetime_refuses_what_ruby_refuses(fmt: str, value: str, reason: str) -> None:
    with pytest.raises(MappingError, match="to_datetime: cannot parse") as info:
        render(f"{{{{ v | to_datetime: '{fmt}' }}}}", {"v": value})
    assert reason in info.value.reason and info.value.field == "out"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("\u0661\u0662", "0.0"), ("12\u0663", "12.0"), ("\u00a012", "0.0"), (" 12.5e1x", "125.0")],
)
def test_cast_number_reads_ascii_digits_only(value: str, expected: str) -> None:
    assert render("{{ v | cast: 'number' }}", {"v": value}) == expected


@pytest.mark.parametrize(
    "source",
    [
        "{{ v | match_regex: '^\\d{4}$' }}",
        "{{ v | regex_replace: 'a{2}', 'b' }}",
        "x\n{{ v | default: '}' }}",
    ],
)
def test_a_brace_inside_an_output_tag_is_refused_at_parse(source: str) -> None:
    with pytest.raises(MappingError, match=r"'\}' inside \{\{ ... \}\}.*Multiwoven's Liquid ends the output"):
        Mapping.parse([{"mapping_type": "template", "from": source, "to": "out"}])


def test_the_same_pattern_through_assign_works_as_in_multiwoven() -> None:
    source = "{% assign p = '^\\d{4}$' %}{{ v | match_regex: p }}"
    assert render(source, {"v": "2024"}) == "2024"
    assert render("{% raw %}{{ a}b }}{% endraw %}", {}) == "{{ a}b }}"
