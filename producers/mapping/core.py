"""`Mapping`: a parsed Multiwoven field mapping that turns warehouse rows into records."""

from __future__ import annotations

import json
from collections import abc
from pathlib import Path

from producers.mapping.entries import Entry, parse_entries
from producers.mapping.errors import MappingError
from producers.mapping.paths import PathError, assign


class Mapping:
    """A Multiwoven sync mapping (v1 object or v2 array), validated and compiled once.

    Build one with `Mapping.parse` or `Mapping.load`, then call `apply` per row. Instances
    are immutable and safe to share between threads.
    """

    __slots__ = ("_entries",)

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self._entries = entries

    @classmethod
    def parse(cls, document: object) -> Mapping:
        """Validate a mapping document and compile its templates.

        Args:
            document: A v1 object `{"source_column": "dest.path"}` or a v2 list of
                `{"mapping_type": "standard"|"static"|"template", "from": ..., "to": ...}`.

        Raises:
            MappingError: Naming the first bad entry (`entry`, `field`) and what is wrong.

        """
        return cls(parse_entries(document))

    @classmethod
    def load(cls, path: Path) -> Mapping:
        """Read a mapping from a JSON file.

        Raises:
            MappingError: If the file cannot be read, is not JSON, or is not a valid
                mapping; the message names the file.

        """
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except OSError as err:
            raise MappingError(f"cannot read mapping file: {err.strerror or err}", source=str(path)) from err
        except UnicodeDecodeError as err:
            raise MappingError(f"mapping file is not UTF-8: {err.reason}", source=str(path)) from err
        except json.JSONDecodeError as err:
            raise MappingError(
                f"invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}", source=str(path)
            ) from err
        try:
            return cls.parse(document)
        except MappingError as err:
            raise err.with_source(str(path)) from None

    @property
    def targets(self) -> list[str]:
        """The destination paths (`to`), in document order; repeats are kept."""
        return [entry.to for entry in self._entries]

    def apply(self, row: abc.Mapping[str, object]) -> dict[str, object]:
        """Map one row to a nested record, entry by entry, in document order.

        Raises:
            MappingError: With `field` and `entry` set, when a template fails for this
                row or a value clashes with one written by an earlier entry.

        """
        record: dict[str, object] = {}
        for entry in self._entries:
            value = entry.resolve(row)
            try:
                assign(record, entry.path, value)
            except PathError as err:
                raise MappingError(str(err), field=entry.to, entry=entry.index) from err
        return record

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Mapping(targets={self.targets!r})"
