"""Pieces shared by the resource stores: user errors, global ids and timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class UserError:
    """One entry of a mutation payload's ``userErrors`` list.

    Attributes:
        field: Path to the offending input, e.g. ``("input", "email")``; ``None`` when the
            error is not about one input field.
        message: Shopify's message, verbatim where it was observed.
        code: A value of the payload's ``...UserErrorCode`` enum, or ``None``.

    """

    field: tuple[str, ...] | None
    message: str
    code: str | None = None

    def to_graphql(self) -> dict[str, Any]:
        """Return the error in the GraphQL response shape."""
        return {
            "field": list(self.field) if self.field is not None else None,
            "message": self.message,
            "code": self.code,
        }


def gid(resource: str, number: int, query: str = "") -> str:
    """Return a Shopify global id such as ``gid://shopify/Customer/12``."""
    return f"gid://shopify/{resource}/{number}{query}"


def parse_gid(value: str) -> tuple[str, int] | None:
    """Split a global id into ``(resource, number)``; ``None`` when it is not one."""
    prefix = "gid://shopify/"
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    resource, _, rest = value[len(prefix) :].partition("/")
    number = rest.split("?", 1)[0]
    if not resource or not number.isdigit():
        return None
    return resource, int(number)


def utc_timestamp(moment: datetime | None = None) -> str:
    """Return an ISO-8601 UTC timestamp with second precision, as Shopify prints them."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
