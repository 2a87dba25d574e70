"""Read warehouse rows from JSONL, JSON or CSV files, one row at a time.

Each row comes with a 1-based number that says where to look for it in the file:
the line number for JSONL, the line the record starts on for CSV (the header is line 1,
as in a spreadsheet), and the position in the array for JSON.
"""

from __future__ import annotations

import contextlib
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from producers import json_limits

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
JSON_SUFFIXES = frozenset({".json"})
CSV_SUFFIXES = frozenset({".csv"})

# A byte-order mark, as spreadsheet tools on Windows like to write.
_BOM = b"\xef\xbb\xbf"


class InputError(ValueError):
    """A row file that cannot be read, or a malformed row in it.

    Attributes:
        path: The file.
        line: The 1-based line in the file, when known (a bad element of a JSON
            array is named in `reason` instead).
        reason: What is wrong.

    """

    def __init__(self, path: Path, reason: str, *, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield `(row_number, row)` pairs from a `.jsonl`/`.ndjson`, `.json` or `.csv` file.

    JSONL and CSV are streamed. JSONL skips blank lines; every other line must be one
    JSON object. JSON must be one array of objects. CSV needs a header row; its values
    are strings, and empty cells are "". A UTF-8 byte-order mark is ignored.

    Args:
        path: The file; its suffix (case-insensitive) picks the format.

    Raises:
        InputError: At once for an unsupported suffix; while iterating for an unreadable
            file or a malformed row, naming the file and line. Rows before a bad one
            have already been yielded.

    """
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return _read_jsonl(path)
    if suffix in JSON_SUFFIXES:
        return _read_json_array(path)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    found = suffix or "(none)"
    raise InputError(path, f"unsupported file type {found!r}; use .jsonl, .ndjson, .json or .csv")


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    # Binary lines, decoded one by one, so a bad byte is reported on its own line.
    with _open(path, binary=True) as handle:
        for line_number, raw in enumerate(handle, start=1):
            line = _decode(path, line_number, raw.removeprefix(_BOM) if line_number == 1 else raw)
            if not line.strip():
                continue
            yield line_number, _object(path, line_number, _loads(path, line_number, line))


def _read_json_array(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    with _open(path, binary=True) as handle:
        text = _decode(path, None, handle.read().removeprefix(_BOM))
    document = _loads(path, None, text)
    if not isinstance(document, list):
        raise InputError(path, f"expected a JSON array of objects, found {_json_type(document)}")
    for position, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            raise InputError(path, f"array element {position} is {_json_type(item)}, expected an object")
        yield position, item


def _read_csv(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    with _open(path, binary=False) as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next((cells for cells in reader if cells), None)  # skip blank lines
            if header is None:
                return  # no header: an empty file has no rows
            _check_header(path, header, reader.line_num)
            next_start = reader.line_num + 1
            for cells in reader:
                start, next_start = next_start, reader.line_num + 1
                if not cells:
                    continue  # blank line
                if len(cells) != len(header):
                    raise InputError(path, f"expected {len(header)} fields, found {len(cells)}", line=start)
                yield start, dict(zip(header, cells, strict=True))
        except csv.Error as err:
            raise InputError(path, f"malformed CSV: {err}", line=reader.line_num) from err
        except UnicodeDecodeError as err:
            # Text is decoded in blocks, so only "after the last good line" is known.
            raise InputError(path, f"not valid UTF-8 after line {reader.line_num}: {err.reason}") from err


@contextlib.contextmanager
def _open(path: Path, *, binary: bool) -> Iterator[IO[Any]]:
    try:
        handle = path.open("rb") if binary else path.open(encoding="utf-8-sig", newline="")
    except OSError as err:
        raise InputError(path, f"cannot read file: {err.strerror or err}") from err
    with handle:
        yield handle


def _decode(path: Path, line_number: int | None, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        reason = f"not valid UTF-8 at byte {err.start}: {err.reason}"
        raise InputError(path, reason, line=line_number) from err


def _check_header(path: Path, header: list[str], line: int) -> None:
    seen: set[str] = set()
    for column, name in enumerate(header, start=1):
        if not name.strip():
            raise InputError(path, f"header column {column} has no name", line=line)
        if name in seen:
            raise InputError(path, f"header repeats column {name!r}", line=line)
        seen.add(name)


def _loads(path: Path, line_number: int | None, text: str) -> object:
    """Parse JSON; `line_number` is None for a whole file, whose error then carries its own line."""
    try:
        value = json.loads(text, parse_constant=_reject_constant)
        json_limits.check(value)
        return value
    except RecursionError:
        reason = f"JSON nested too deep (more than {json_limits.MAX_DEPTH} levels are refused)"
        raise InputError(path, reason, line=line_number) from None
    except json.JSONDecodeError as err:
        line = err.lineno if line_number is None else line_number
        raise InputError(path, f"invalid JSON at column {err.colno}: {err.msg}", line=line) from err
    except ValueError as err:
        raise InputError(path, str(err), line=line_number) from err


def _object(path: Path, line_number: int, value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise InputError(path, f"expected a JSON object, found {_json_type(value)}", line=line_number)
    return value


def _reject_constant(name: str) -> object:
    """Refuse NaN and Infinity: Python's json accepts them, but they are not JSON and no API takes them."""
    raise ValueError(f"{name} is not valid JSON")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
