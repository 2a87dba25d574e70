"""The one error the mapping package raises."""

from __future__ import annotations


class MappingError(ValueError):
    """An invalid mapping document, or a row that the mapping cannot turn into a record.

    Attributes:
        reason: What is wrong, without the location prefix.
        field: The destination path (`to`) of the entry concerned, when known.
        entry: The 0-based position of the entry in the mapping document (list index
            for v2, insertion order of the keys for v1), when known.
        source: The mapping file, when the mapping was loaded from one.

    """

    def __init__(
        self,
        reason: str,
        *,
        field: str | None = None,
        entry: int | None = None,
        source: str | None = None,
    ) -> None:
        self.reason = reason
        self.field = field
        self.entry = entry
        self.source = source
        super().__init__(self._render())

    def with_source(self, source: str) -> MappingError:
        """Return a copy of this error that also names the mapping file."""
        return MappingError(self.reason, field=self.field, entry=self.entry, source=source)

    def _render(self) -> str:
        where: list[str] = []
        if self.source is not None:
            where.append(self.source)
        if self.entry is not None:
            where.append(f"mapping[{self.entry}]")
        if self.field is not None:
            where.append(f"(to {self.field!r})")
        return f"{' '.join(where)}: {self.reason}" if where else self.reason
