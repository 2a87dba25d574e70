"""Unit tests for producers.readers: JSONL, JSON and CSV row files."""

from __future__ import annotations

from pathlib import Path

import pytest

from producers.readers import InputError, read_rows


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    return list(read_rows(path))


# --- JSONL ---


@pytest.mark.parametrize("name", ["rows.jsonl", "rows.ndjson", "ROWS.JSONL"])
def test_jsonl_yields_line_numbers_and_skips_blank_lines(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, '{"id": 1, "name": "Ana"}\n\n   \n{"id": 2, "tags": ["a"], "n": null}\n')
    assert rows(path) == [(1, {"id": 1, "name": "Ana"}), (4, {"id": 2, "tags": ["a"], "n": None})]


def test_jsonl_handles_crlf_bom_unicode_and_no_final_newline(tmp_path: Path) -> None:
    content = '\ufeff{"名前": "山田"}\r\n{"city": "Zürich", "emoji": "🛒"}'
    path = write(tmp_path, "rows.jsonl", content.encode("utf-8"))
    assert rows(path) == [(1, {"名前": "山田"}), (2, {"city": "Zürich", "emoji": "🛒"})]


def test_jsonl_keeps_unicode_line_separators_inside_strings(tmp_path: Path) -> None:
    path = write(tmp_path, "rows.jsonl", '{"note": "a\u2028b"}\n{"id": 2}\n')
    assert rows(path) == [(1, {"note": "a\u2028b"}), (2, {"id": 2})]


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ('{"id": 1}\n[1, 2]\n', 2, "expected a JSON object, found an array"),
        ('{"id": 1}\n\n"text"\n', 3, "expected a JSON object, found a string"),
        ("42\n", 1, "expected a JSON object, found a number"),
        ("null\n", 1, "expected a JSON object, found null"),
        ('{"id": 1}\n{"id": 2,}\n', 2, "invalid JSON at column 10"),
        ('{"id": 1} {"id": 2}\n', 1, "invalid JSON at column 11: Extra data"),
        ('{"price": NaN}\n', 1, "NaN is not valid JSON"),
        ('{"price": -Infinity}\n', 1, "-Infinity is not valid JSON"),
    ],
)
def test_jsonl_malformed_lines_name_file_and_line(
    tmp_path: Path, content: str, line: int, reason: str
) -> None:
    path = write(tmp_path, "bad.jsonl", content)
    with pytest.raises(InputError) as info:
        rows(path)
    assert (info.value.path, info.value.line) == (path, line)
    assert reason in info.value.reason
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_jsonl_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", b'{"a": 1}\n{"a": "\xff"}\n')
    with pytest.raises(InputError) as info:
        rows(path)
    assert info.value.line == 2
    assert "not valid UTF-8" in info.value.reason


def test_jsonl_is_streamed(tmp_path: Path) -> None:
    path = write(tmp_path, "rows.jsonl", '{"id": 1}\n{"id": 2}\nnot json\n')
    iterator = read_rows(path)
    assert next(iterator) == (1, {"id": 1})
    assert next(iterator) == (2, {"id": 2})
    with pytest.raises(InputError, match=r"rows\.jsonl:3: invalid JSON"):
        next(iterator)


# --- JSON array ---


def test_json_array_yields_positions(tmp_path: Path) -> None:
    path = write(tmp_path, "rows.json", '[\n  {"id": 1},\n  {"id": 2, "o": {"k": [1]}}\n]')
    assert rows(path) == [(1, {"id": 1}), (2, {"id": 2, "o": {"k": [1]}})]


def test_json_empty_array_yields_nothing(tmp_path: Path) -> None:
    assert rows(write(tmp_path, "rows.json", "[]")) == []


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ('{"id": 1}', None, "expected a JSON array of objects, found an object"),
        ('[{"id": 1}, 5]', None, "array element 2 is a number, expected an object"),
        ('[{"id": 1},\n {"id": }]', 2, "invalid JSON at column 9"),
        ('[{"n": NaN}]', None, "NaN is not valid JSON"),
    ],
)
def test_json_malformed(tmp_path: Path, content: str, line: int | None, reason: str) -> None:
    path = write(tmp_path, "bad.json", content)
    with pytest.raises(InputError) as info:
        rows(path)
    assert (info.value.path, info.value.line) == (path, line)
    assert reason in info.value.reason


# --- CSV ---


def test_csv_values_are_strings_and_empty_cells_are_empty_strings(tmp_path: Path) -> None:
    path = write(tmp_path, "rows.csv", "id,name,price\n1,Ana,12.50\n2,,\n")
    assert rows(path) == [
        (2, {"id": "1", "name": "Ana", "price": "12.50"}),
        (3, {"id": "2", "name": "", "price": ""}),
    ]


def test_csv_row_number_is_the_line_the_record_starts_on(tmp_path: Path) -> None:
    content = 'id,note\r\n1,"two\r\nlines"\r\n\r\n3,"say ""hi"", O\'Brien"\r\n'
    path = write(tmp_path, "rows.csv", content)
    assert rows(path) == [
        (2, {"id": "1", "note": "two\r\nlines"}),
        (5, {"id": "3", "note": 'say "hi", O\'Brien'}),
    ]


def test_csv_bom_and_unicode(tmp_path: Path) -> None:
    path = write(tmp_path, "rows.csv", "\ufeff名前,ville\n山田,Zürich\n".encode())
    assert rows(path) == [(2, {"名前": "山田", "ville": "Zürich"})]


@pytest.mark.parametrize("content", ["", "\n\n", "id,name\n"])
def test_csv_without_data_rows_yields_nothing(tmp_path: Path, content: str) -> None:
    assert rows(write(tmp_path, "rows.csv", content)) == []


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ("id,name\n1,Ana\n2\n", 3, "expected 2 fields, found 1"),
        ("id,name\n1,Ana,extra\n", 2, "expected 2 fields, found 3"),
        ("id,id\n1,2\n", 1, "header repeats column 'id'"),
        ("id,,name\n1,2,3\n", 1, "header column 2 has no name"),
        ('id,name\n1,"Ana"x\n', 2, "malformed CSV"),
    ],
)
def test_csv_malformed(tmp_path: Path, content: str, line: int, reason: str) -> None:
    path = write(tmp_path, "bad.csv", content)
    with pytest.raises(InputError) as info:
        rows(path)
    assert (info.value.path, info.value.line) == (path, line)
    assert reason in info.value.reason


def test_csv_is_streamed(tmp_path: Path) -> None:
    path = write(tmp_path, "rows.csv", "id\n1\n2\n3,extra\n")
    iterator = read_rows(path)
    assert [next(iterator), next(iterator)] == [(2, {"id": "1"}), (3, {"id": "2"})]
    with pytest.raises(InputError, match=r"rows\.csv:4: expected 1 fields, found 2"):
        next(iterator)


def test_csv_invalid_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", b"id\n\xff\n")
    with pytest.raises(InputError, match="not valid UTF-8"):
        rows(path)


# --- file-level errors ---


def test_unsupported_suffix_fails_at_call_time(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"rows\.xlsx: unsupported file type '\.xlsx'"):
        read_rows(tmp_path / "rows.xlsx")
    with pytest.raises(InputError, match="unsupported file type '\\(none\\)'"):
        read_rows(tmp_path / "rows")


@pytest.mark.parametrize("name", ["missing.jsonl", "missing.json", "missing.csv"])
def test_missing_file_is_an_input_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError) as info:
        rows(tmp_path / name)
    assert info.value.path == tmp_path / name
    assert "cannot read file" in info.value.reason
