"""The access a denied write needs, as Shopify names it, and whether a token's scopes grant it.

Shopify answers a write it refuses for want of access with ``ACCESS_DENIED`` (HTTP 200) and names what
the field needs in ``extensions.requiredAccess``: one or more access scopes (any one of them is enough),
and sometimes, after ``Also:``, a staff permission or a plan the shop must be on. A token's scopes can
be read back (``currentAppInstallation.accessScopes``); a permission or a plan cannot, so only a pause
for scopes alone ever ends by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

AccessKind = Literal["scope", "permission", "plan", "unnamed"]

_PLAN_WORDS = ("shopify plus", " plan", "advanced")


def scope_covered(granted: Iterable[str], scope: str) -> bool:
    """Whether ``granted`` covers ``scope`` (``write_x`` covers ``read_x``)."""
    held = set(granted)
    return scope in held or (scope.startswith("read_") and "write_" + scope.removeprefix("read_") in held)


@dataclass(frozen=True)
class RequiredAccess:
    """What Shopify said a denied field needs.

    Attributes:
        scopes: Access scopes, any one of which grants the field; empty when Shopify named none.
        also: What else it needs (a staff permission, a plan), as Shopify wrote it after ``Also:``.
        field: The field that was denied (``customerSet``), when the answer named it.
    """

    scopes: tuple[str, ...] = ()
    also: str | None = None
    field: str | None = None

    @property
    def kind(self) -> AccessKind:
        """``scope`` (scopes alone), ``permission`` or ``plan`` (something else too), ``unnamed``."""
        if self.also:
            text = f" {self.also.lower()}"
            return "plan" if any(word in text for word in _PLAN_WORDS) else "permission"
        return "scope" if self.scopes else "unnamed"

    def granted_by(self, granted: Iterable[str]) -> bool:
        """Whether scopes ``granted`` give this access; never for a permission or a plan (unreadable)."""
        held = tuple(granted)
        return self.kind == "scope" and any(scope_covered(held, scope) for scope in self.scopes)

    def describe(self) -> str:
        """One line naming the access, for logs, ``shops status`` and reports (no customer data)."""
        parts = [" or ".join(f"`{scope}`" for scope in self.scopes) + " access scope"] if self.scopes else []
        if self.also:
            parts.append(f"also: {self.also}")
        named = "; ".join(parts) or "an access Shopify did not name"
        return f"{named} (for {self.field})" if self.field else named

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in a pause."""
        return {"scopes": list(self.scopes), "also": self.also, "field": self.field, "kind": self.kind}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RequiredAccess:
        """Read the stored form."""
        return cls(
            scopes=tuple(str(s) for s in raw.get("scopes") or ()),
            also=raw.get("also") or None,
            field=raw.get("field") or None,
        )
