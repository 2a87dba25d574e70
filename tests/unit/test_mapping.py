"""Unit tests for producers.mapping: Multiwoven field mappings (v1 and v2)."""

from __future__ import annotations

import json
from collections import abc
from pathlib import Path

import pytest

from producers.mapping import Mapping, MappingError


def std(src: object, to: str) -> dict[str, object]:
    return {"mapping_type": "standard", "from": src, "to": to}


def static(value: object, to: str) -> dict[str, object]:
    return {"mapping_type": "static", "from": value, "to": to}


def tpl(source: object, to: str = "out") -> dict[str, object]:
    return {"mapping_type": "template", "from": source, "to": to}


def render(source: str, row: abc.Mapping[str, object] | None = None) -> object:
    """Apply a one-entry template mapping and return the value written at `out`."""
    return Mapping.parse([tpl(source)]).apply(row or {})["out"]


# --- Multiwoven's own spec cases (server/spec/lib/reverse_etl/transformers/user_mapping_spec.rb) ---

MW_ROW = {"cr_fee": "57.82", "cr_item_sk": "231891", "cr_reason_sk": "40"}


def test_multiwoven_spec_v1() -> None:
    mapping = Mapping.parse({"cr_fee": "attributes.properties.fee", "cr_item_sk": "id"})
    assert mapping.apply(MW_ROW) == {"attributes": {"properties": {"fee": "57.82"}}, "id": "231891"}


def test_multiwoven_spec_v2_standard_static_template() -> None:
    mapping = Mapping.parse(
        [
            std("cr_item_sk", "id"),
            static("static_value", "attributes.properties.static_field"),
            tpl("Transformed {{cr_reason_sk}}", "attributes.properties.template_field"),
        ]
    )
    assert mapping.apply(MW_ROW) == {
        "id": "231891",
        "attributes": {"properties": {"static_field": "static_value", "template_field": "Transformed 40"}},
    }


def test_multiwoven_spec_filters() -> None:
    mapping = Mapping.parse(
        [
            tpl("Transformed {{cr_reason_sk  | cast: 'number' }}", "p.cast_filter"),
            tpl("Transformed {{cr_reason_sk | regex_replace: '[0-9]+', 'Numbers'}}", "p.regex_replace_field"),
        ]
    )
    assert mapping.apply(MW_ROW) == {
        "p": {"cast_filter": "Transformed 40.0", "regex_replace_field": "Transformed Numbers"}
    }


def test_template_output_is_not_stripped() -> None:
    # The newest Multiwoven spec expects "ZA" here, but the transformer code we could read
    # renders verbatim; we follow the code (see docs/mapping.md). `{%- -%}` trims.
    source = "{% if cr_reason_sk == '40' %}\nZA\n{% else %}\nPR\n{% endif %}"
    assert render(source, MW_ROW) == "\nZA\n"
    assert render("{%- if cr_reason_sk == '40' -%}\nZA\n{%- endif -%}", MW_ROW) == "ZA"


# --- v1 ---


def test_v1_missing_column_writes_null_like_ruby_nil() -> None:
    mapping = Mapping.parse({"email": "customer.email", "phone": "customer.phone"})
    assert mapping.apply({"email": "a@b.c"}) == {"customer": {"email": "a@b.c", "phone": None}}


def test_v1_keeps_json_types_of_row_values() -> None:
    mapping = Mapping.parse({"n": "n", "f": "f", "b": "b", "obj": "obj", "arr": "arr"})
    row: dict[str, object] = {"n": 3, "f": 1.5, "b": False, "obj": {"k": 1}, "arr": [1, 2]}
    assert mapping.apply(row) == row


def test_v1_supports_array_paths() -> None:
    mapping = Mapping.parse({"t1": "tags[]", "t2": "tags[]", "city": "addresses[].city"})
    assert mapping.apply({"t1": "a", "t2": "b", "city": "Oslo"}) == {
        "tags": ["a", "b"],
        "addresses": [{"city": "Oslo"}],
    }


# --- v2 standard / static ---


def test_standard_does_not_double_single_quotes() -> None:
    # Multiwoven's server turns O'Brien into O''Brien; this mapping must not.
    assert Mapping.parse([std("last", "last_name")]).apply({"last": "O'Brien"}) == {"last_name": "O'Brien"}


def test_standard_missing_column_writes_none() -> None:
    assert Mapping.parse([std("gone", "a.b")]).apply({}) == {"a": {"b": None}}


@pytest.mark.parametrize(
    "value",
    ["text", 0, 12.5, True, False, None, [1, "two"], {"k": {"n": [1]}}, "", "日本"],
    ids=repr,
)
def test_static_accepts_any_json_value(value: object) -> None:
    assert Mapping.parse([static(value, "x")]).apply({}) == {"x": value}


def test_static_value_is_fresh_for_every_row() -> None:
    mapping = Mapping.parse([static(["vip"], "tags"), std("tag", "tags[]")])
    assert mapping.apply({"tag": "a"}) == {"tags": ["vip", "a"]}
    assert mapping.apply({"tag": "b"}) == {"tags": ["vip", "b"]}


def test_apply_never_mutates_the_row() -> None:
    row: dict[str, object] = {"tags": ["x"], "more": "y"}
    Mapping.parse([std("tags", "tags"), std("more", "tags[]")]).apply(row)
    assert row == {"tags": ["x"], "more": "y"}


def test_entries_apply_in_order_and_later_plain_paths_win() -> None:
    mapping = Mapping.parse([static("first", "title"), std("t", "title")])
    assert mapping.apply({"t": "second"}) == {"title": "second"}


def test_extra_keys_in_v2_entries_are_ignored() -> None:
    entry = {**std("a", "b"), "embedding_config": None, "id": 7}
    assert Mapping.parse([entry]).apply({"a": 1}) == {"b": 1}


# --- path rules ---

PATH_CASES = [
    pytest.param([std("a", "tags[]"), std("b", "tags[]")], {"tags": ["A", "B"]}, id="last-[]-appends"),
    pytest.param(
        [std("a", "addresses[].city"), std("b", "addresses[].zip")],
        {"addresses": [{"city": "A", "zip": "B"}]},
        id="middle-[]-fills-last-object",
    ),
    pytest.param(
        [std("a", "addresses[].city")], {"addresses": [{"city": "A"}]}, id="middle-[]-creates-object"
    ),
    pytest.param(
        [static([{"city": "X"}], "addresses"), std("a", "addresses[].zip")],
        {"addresses": [{"city": "X", "zip": "A"}]},
        id="middle-[]-uses-existing-last",
    ),
    pytest.param(
        [static([{"id": 1}, {"id": 2}], "items"), std("a", "items[].qty")],
        {"items": [{"id": 1}, {"id": 2, "qty": "A"}]},
        id="middle-[]-only-last-element",
    ),
    pytest.param(
        [std("a", "order.lines[].props[].name"), std("b", "order.lines[].props[].value")],
        {"order": {"lines": [{"props": [{"name": "A", "value": "B"}]}]}},
        id="nested-arrays",
    ),
    pytest.param([std("a", "a.b.c.d")], {"a": {"b": {"c": {"d": "A"}}}}, id="nested-objects"),
    pytest.param(
        [std("a", "x.tags[]"), std("b", "x.tags[]"), std("a", "x.name")],
        {"x": {"tags": ["A", "B"], "name": "A"}},
        id="append-inside-object",
    ),
    pytest.param(
        [std("missing", "a"), std("b", "a.b")], {"a": {"b": "B"}}, id="null-is-replaced-like-ruby-or-assign"
    ),
    pytest.param(
        [std("missing", "list[]"), std("a", "list[].k")],
        {"list": [None, {"k": "A"}]},
        id="null-last-element-pushes-new-object",
    ),
    pytest.param([std("a", "a[0]")], {"a[0]": "A"}, id="other-brackets-are-plain-keys"),
]


@pytest.mark.parametrize(("entries", "expected"), PATH_CASES)
def test_path_rules(entries: list[dict[str, object]], expected: dict[str, object]) -> None:
    assert Mapping.parse(entries).apply({"a": "A", "b": "B"}) == expected


@pytest.mark.parametrize(
    ("entries", "field", "reason"),
    [
        ([static("x", "title"), static("y", "title.en")], "title.en", "'title': it already holds str"),
        ([static("x", "tags"), static("y", "tags[]")], "tags[]", "cannot append to 'tags'"),
        ([static("x", "tags[]"), static("y", "tags[].k")], "tags[].k", "last element is str"),
        ([static({"k": 1}, "a"), static("y", "a[].k")], "a[].k", "cannot append to 'a'"),
        ([static([1], "a"), static("y", "a.k")], "a.k", "'a': it already holds list"),
    ],
)
def test_path_conflicts_raise_at_apply(entries: list[dict[str, object]], field: str, reason: str) -> None:
    mapping = Mapping.parse(entries)
    with pytest.raises(MappingError) as info:
        mapping.apply({})
    assert info.value.field == field
    assert info.value.entry == 1
    assert reason in info.value.reason


# --- Liquid filters ---

CAST_CASES = [
    ("{{ v | cast: 'number' }}", "12.5", "12.5"),
    ("{{ v | cast: 'number' }}", "40", "40.0"),
    ("{{ v | cast: 'number' }}", 7, "7.0"),
    ("{{ v | cast: 'number' }}", "12abc", "12.0"),  # Ruby String#to_f reads the prefix
    ("{{ v | cast: 'number' }}", "abc", "0.0"),
    ("{{ v | cast: 'number' }}", " -1_000.5e1x", "-10005.0"),
    ("{{ v | cast: 'number' }}", ".5", "0.5"),
    ("{{ v | cast: 'number' }}", None, "0.0"),
    ("{{ missing | cast: 'number' }}", None, "0.0"),
    ("{{ v | cast: 'number' | plus: 1 }}", "2", "3.0"),
    ("{{ v | cast: 'string' }}", 12, "12"),
    ("{{ v | cast: 'string' | size }}", 12345, "5"),
    ("{{ v | cast: 'boolean' }}", "true", "true"),
    ("{{ v | cast: 'boolean' }}", "yes", "true"),
    ("{{ v | cast: 'boolean' }}", "False", "true"),  # ActiveModel lists only "false"/"FALSE"
    ("{{ v | cast: 'boolean' }}", "false", "false"),
    ("{{ v | cast: 'boolean' }}", "f", "false"),
    ("{{ v | cast: 'boolean' }}", "OFF", "false"),
    ("{{ v | cast: 'boolean' }}", "0", "false"),
    ("{{ v | cast: 'boolean' }}", 0, "false"),
    ("{{ v | cast: 'boolean' }}", 0.0, "true"),  # Ruby: 0.0 is not in FALSE_VALUES
    ("{{ v | cast: 'boolean' }}", "", ""),  # nil
    ("{{ v | cast: 'date' }}", "kept", "kept"),  # unknown type: input unchanged
]


@pytest.mark.parametrize(("source", "value", "expected"), CAST_CASES)
def test_cast(source: str, value: object, expected: str) -> None:
    assert render(source, {"v": value}) == expected


def test_cast_result_is_still_a_string_in_the_record() -> None:
    # Multiwoven's transformer stores the rendered text; cast changes the text, not the JSON type.
    record = Mapping.parse([tpl("{{ p | cast: 'number' }}", "price"), tpl("{{ b | cast: 'boolean' }}", "ok")])
    assert record.apply({"p": "9", "b": "1"}) == {"price": "9.0", "ok": "true"}


def test_cast_boolean_to_number_fails() -> None:
    with pytest.raises(MappingError, match="cannot convert bool to a number"):
        render("{{ v | cast: 'number' }}", {"v": True})


REGEX_REPLACE_CASES = [
    ("{{ v | regex_replace: '[0-9]+', '#' }}", "a1b22", "a#b#"),
    ("{{ v | regex_replace: 'world', 'mars', 'i' }}", "Hello World", "Hello mars"),
    ("{{ v | regex_replace: 'world', 'mars' }}", "Hello World", "Hello World"),
    ("{{ v | regex_replace: '\\s+' }}", "a b\tc", "abc"),  # replacement defaults to ""
    ("{% assign p = '(\\d{3})(\\d{4})' %}{{ v | regex_replace: p, '\\1-\\2' }}", "5551234", "555-1234"),
    ("{{ v | regex_replace: '\\d+', '<\\0>' }}", "a12", "a<12>"),
    ("{{ v | regex_replace: '\\d+', '[\\&]' }}", "a12", "a[12]"),
    (
        "{% assign p = '(?<y>\\d{4})-(?<m>\\d\\d)' %}{{ v | regex_replace: p, '\\k<m>/\\k<y>' }}",
        "2024-02",
        "02/2024",
    ),
    ("{{ v | regex_replace: '(a)|(b)', '[\\2]' }}", "ab", "[][b]"),
    ("{{ v | regex_replace: 'x\\z', 'Y' }}", "x\nx", "x\nY"),
    ("{{ v | regex_replace: '^x', 'Y' }}", "x\nx", "Y\nY"),  # Ruby ^ is per line
    ("{{ v | regex_replace: 'a.b', 'X', 'm' }}", "a\nb", "X"),  # Ruby m = dot matches newline
    ("{{ v | regex_replace: 'é', 'e' }}", "café crème", "cafe crème"),
    ("{{ v | regex_replace: '0', 'o' }}", 100, "1oo"),
    ("{{ v | regex_replace: 'b', \"<\\`|\\'>\" }}", "abc", "a<a|c>c"),  # Ruby pre/post-match
    ("{{ v | regex_replace: 'b', '\\\\' }}", "abc", "a\\c"),  # \\ is one backslash
    ("{{ v | regex_replace: 'b', '\\n' }}", "abc", "a\\nc"),  # unknown escapes stay literal
    ("{{ v | regex_replace: '(?<=a)b', 'X' }}", "abcb", "aXcb"),  # lookbehind is not a named group
    ("{{ v | regex_replace: 'b$', 'X' }}", "ab\nab", "aX\naX"),
    ("{{ v | regex_replace: 'b\\Z', 'X' }}", "ab\nab\n", "ab\naX\n"),  # Ruby \Z: end or before final \n
]


@pytest.mark.parametrize(("source", "value", "expected"), REGEX_REPLACE_CASES)
def test_regex_replace(source: str, value: object, expected: str) -> None:
    assert render(source, {"v": value}) == expected


def test_regex_replace_bad_pattern_fails_on_apply() -> None:
    with pytest.raises(MappingError, match=r"regex_replace: invalid pattern '\('"):
        render("{{ v | regex_replace: '(' }}", {"v": "x"})


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("{{ v | match_regex: '^\\S+@\\S+$' }}", "ana@example.com"),
        ("{{ v | match_regex: 'EXAMPLE', 'i' }}", "ana@example.com"),
        ("{{ v | match_regex: '\\d' }}", "a1"),  # unanchored, like Regexp#match?
        ("{{ v | match_regex: '^\\d+$' }}", 12345),
        ("{{ v | match_regex: '^b$' }}", "a\nb"),  # Ruby ^/$ match at line breaks
    ],
)
def test_match_regex_passes_input_through(source: str, value: object) -> None:
    assert render(source, {"v": value}) == str(value)


@pytest.mark.parametrize(
    ("source", "row"),
    [
        ("{{ v | match_regex: '^\\d+$' }}", {"v": "12a"}),
        ("{{ v | match_regex: 'EXAMPLE' }}", {"v": "example"}),
        ("{{ v | match_regex: '.*' }}", {}),  # missing column: Ruby match?(nil) is false
        ("{{ v | match_regex: '.*' }}", {"v": None}),
    ],
)
def test_match_regex_failure_raises_mapping_error(source: str, row: dict[str, object]) -> None:
    mapping = Mapping.parse([std("id", "id"), tpl(source, "email")])
    with pytest.raises(MappingError) as info:
        mapping.apply(row)
    assert info.value.field == "email"
    assert info.value.entry == 1
    assert "does not match" in info.value.reason


TO_DATETIME_CASES = [
    ("%d/%m/%Y", "24/02/2024", "2024-02-24T00:00:00+00:00"),
    ("%Y-%m-%d %H:%M:%S", "2024-02-24 12:30:05", "2024-02-24T12:30:05+00:00"),
    ("%Y-%m-%dT%H:%M:%S%z", "2024-02-24T12:30:05+0530", "2024-02-24T12:30:05+05:30"),
    ("%Y-%m-%dT%H:%M:%S%:z", "2024-02-24T12:30:05-03:00", "2024-02-24T12:30:05-03:00"),
    ("%Y-%m-%d %H:%M:%S.%L", "2024-02-24 12:30:05.123", "2024-02-24T12:30:05+00:00"),
    ("%d.%m.%Y", "4.2.2024", "2024-02-04T00:00:00+00:00"),  # Ruby needs no padding (and has no %-d)
    ("%Y%m%d", 20240224, "2024-02-24T00:00:00+00:00"),
]


@pytest.mark.parametrize(("fmt", "value", "expected"), TO_DATETIME_CASES)
def test_to_datetime(fmt: str, value: object, expected: str) -> None:
    assert render(f"{{{{ v | to_datetime: '{fmt}' }}}}", {"v": value}) == expected


@pytest.mark.parametrize("value", ["", "   ", None], ids=repr)
def test_to_datetime_returns_blank_input_unchanged(value: object) -> None:
    assert render("[{{ v | to_datetime: '%Y' }}]", {"v": value}) == f"[{value or ''}]"


@pytest.mark.parametrize("value", ["2024-13-01", "yesterday", "2024-02-30", "24-02"])
def test_to_datetime_bad_input_raises(value: str) -> None:
    with pytest.raises(MappingError) as info:
        Mapping.parse([tpl("{{ d | to_datetime: '%Y-%m-%d' }}", "created_at")]).apply({"d": value})
    assert info.value.field == "created_at"
    assert f"to_datetime: cannot parse {value!r}" in info.value.reason


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{% for i in (1..100000000) %}{% endfor %}", "loop iteration limit reached"),
        ("{{ v | modulo: 0 }}", "can't divide by 0"),
        ("{{ v | base64_decode }}", "UnicodeDecodeError"),  # python-liquid leaks a plain ValueError
    ],
)
def test_runaway_or_failing_builtins_fail_the_row(source: str, reason: str) -> None:
    with pytest.raises(MappingError) as info:
        render(source, {"v": "2w=="})
    assert info.value.field == "out"
    assert reason in info.value.reason


def test_templates_see_all_columns_and_builtin_filters() -> None:
    row = {"first": "ana", "last": "lópez", "First Name": "x"}
    assert render("{{ first | capitalize }} {{ last | upcase }}", row) == "Ana LÓPEZ"
    assert render("{{ ['First Name'] }}|{{ nothing }}|{{ nothing | default: 'n/a' }}", row) == "x||n/a"


# --- Unicode ---


def test_unicode_columns_paths_and_values() -> None:
    mapping = Mapping.parse(
        [std("名前", "顧客.名前"), std("ville", "adresses[].ville"), tpl("{{ 名前 }} ✓", "note")]
    )
    assert mapping.apply({"名前": "山田", "ville": "Zürich"}) == {
        "顧客": {"名前": "山田"},
        "adresses": [{"ville": "Zürich"}],
        "note": "山田 ✓",
    }


# --- invalid mapping documents ---

INVALID_DOCUMENTS = [
    pytest.param("x", None, None, "got string", id="not-object-or-array"),
    pytest.param(None, None, None, "got null", id="null"),
    pytest.param([], None, None, "no entries", id="empty-array"),
    pytest.param({}, None, None, "no entries", id="empty-object"),
    pytest.param({"a": 3}, 0, None, "must be a string, got number", id="v1-path-not-string"),
    pytest.param({"a": "b", "": "c"}, 1, None, "non-empty string", id="v1-empty-column"),
    pytest.param({"a": "b.", "c": "d"}, 0, "b.", "empty segment at position 2", id="v1-trailing-dot"),
    pytest.param([std("a", "b"), "oops"], 1, None, "got string", id="entry-not-object"),
    pytest.param([{"from": "a", "to": "b"}], 0, None, "mapping_type must be one of", id="type-missing"),
    pytest.param([{**std("a", "b"), "mapping_type": "vector"}], 0, None, "got 'vector'", id="type-vector"),
    pytest.param([{"mapping_type": "standard", "from": "a"}], 0, None, "'to'", id="to-missing"),
    pytest.param([{**std("a", "b"), "to": ["b"]}], 0, None, "got array", id="to-not-string"),
    pytest.param([std("a", "")], 0, "", "destination path is empty", id="to-empty"),
    pytest.param([std("a", "x..y")], 0, "x..y", "empty segment at position 2", id="to-empty-segment"),
    pytest.param([std("a", "x.[]")], 0, "x.[]", "empty segment", id="to-bare-array-mark"),
    pytest.param([std("a", "a[]b")], 0, "a[]b", "may only end a segment", id="to-mark-in-middle"),
    pytest.param([std("a", "tags[][]")], 0, "tags[][]", "may only end a segment", id="to-double-mark"),
    pytest.param([{"mapping_type": "static", "to": "x"}], 0, "x", "'from' is missing", id="from-missing"),
    pytest.param([std("", "x")], 0, "x", "must name a source column", id="standard-from-empty"),
    pytest.param([std(5, "x")], 0, "x", "must name a source column", id="standard-from-number"),
    pytest.param([static(float("inf"), "x")], 0, "x", "not a finite number", id="static-infinity"),
    pytest.param([static({1: "a"}, "x")], 0, "x", "keys must be strings", id="static-int-key"),
    pytest.param([static({1, 2}, "x")], 0, "x", "set is not a JSON type", id="static-set"),
    pytest.param([tpl(["x"], "x")], 0, "x", "must be a string, got array", id="template-not-string"),
    pytest.param(
        [std("a", "b"), tpl("{{ x ", "y")], 1, "y", "invalid Liquid template: expected '}}'", id="tpl-open"
    ),
    pytest.param([tpl("{% if %}yes{% endif %}", "y")], 0, "y", "line 1, column 4", id="tpl-syntax-position"),
    pytest.param([tpl("{% if a %}", "y")], 0, "y", "invalid Liquid template", id="tpl-unclosed-tag"),
    pytest.param(
        [tpl("{{ a | cats: 'number' }}", "y")], 0, "y", "unknown filter 'cats'", id="tpl-unknown-filter"
    ),
    pytest.param([tpl("{% frobnicate %}", "y")], 0, "y", "invalid Liquid template", id="tpl-unknown-tag"),
]


@pytest.mark.parametrize(("document", "entry", "field", "reason"), INVALID_DOCUMENTS)
def test_invalid_documents(document: object, entry: int | None, field: str | None, reason: str) -> None:
    with pytest.raises(MappingError) as info:
        Mapping.parse(document)
    err = info.value
    assert (err.entry, err.field) == (entry, field)
    assert reason in err.reason
    if entry is not None:
        assert str(err).startswith(f"mapping[{entry}]")


def test_error_message_names_entry_and_field() -> None:
    with pytest.raises(MappingError) as info:
        Mapping.parse([std("a", "ok"), std("b", "bad..path")])
    assert str(info.value) == (
        "mapping[1] (to 'bad..path'): destination path 'bad..path' has an empty segment at position 2"
    )
    assert isinstance(info.value, ValueError)


# --- load ---


def test_load_reads_json_file(tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(
        json.dumps([std("名", "name"), tpl("{{ p | cast: 'number' }}", "price")]), encoding="utf-8"
    )
    mapping = Mapping.load(path)
    assert mapping.targets == ["name", "price"]
    assert mapping.apply({"名": "x", "p": "3"}) == {"name": "x", "price": "3.0"}


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    bad_json = tmp_path / "broken.json"
    bad_json.write_text('[{"mapping_type": "standard",\n "from": }]', encoding="utf-8")
    with pytest.raises(MappingError, match=r"broken\.json: invalid JSON at line 2, column 10"):
        Mapping.load(bad_json)

    bad_entry = tmp_path / "entry.json"
    bad_entry.write_text(json.dumps([std("a", "b"), {"mapping_type": "nope", "from": 1, "to": "c"}]))
    with pytest.raises(MappingError) as info:
        Mapping.load(bad_entry)
    assert info.value.source == str(bad_entry)
    assert info.value.entry == 1
    assert str(info.value).startswith(f"{bad_entry} mapping[1]: mapping_type must be one of")

    with pytest.raises(MappingError, match=r"missing\.json: cannot read mapping file"):
        Mapping.load(tmp_path / "missing.json")


# --- targets / misc ---


def test_targets_in_document_order_with_repeats() -> None:
    mapping = Mapping.parse([std("a", "tags[]"), static(1, "x.y"), std("b", "tags[]"), tpl("{{a}}", "t")])
    assert mapping.targets == ["tags[]", "x.y", "tags[]", "t"]
    assert len(mapping) == 4
    assert Mapping.parse({"c1": "p.q", "c2": "r"}).targets == ["p.q", "r"]


def test_mapping_is_reusable_across_rows() -> None:
    mapping = Mapping.parse([std("a", "items[].a"), tpl("{{ a | upcase }}", "items[].b")])
    assert [mapping.apply({"a": v}) for v in ("x", "y")] == [
        {"items": [{"a": "x", "b": "X"}]},
        {"items": [{"a": "y", "b": "Y"}]},
    ]
