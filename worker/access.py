"""Read the access a refused request needs out of Shopify's answer.

Shapes (docs/retry-policy.md, "Access denied", has examples and sources):

- GraphQL, HTTP 200: ``{"message": "Access denied for customerSet field. Required access: `write_customers`
  access scope.", "path": ["customerSet"], "extensions": {"code": "ACCESS_DENIED", "requiredAccess":
  "`write_customers` access scope."}}``; ``requiredAccess`` may go on with ``Also:`` and a staff
  permission or a plan, name alternatives (``... access scope or `write_companies` access scope``), or be
  absent (``"Access denied for priceRules field."``). Older answers wrote scopes without backticks.
- REST-style HTTP 403: ``[API] This action requires merchant approval for write_orders scope.``
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from worker.contract.access import RequiredAccess

# Lists the token's scopes; needs no scope itself.
ACCESS_SCOPES = "query AccessScopes { currentAppInstallation { accessScopes { handle } } }"

_FIELD = re.compile(r"Access denied for (\w+)(?: field)?", re.IGNORECASE)
_SCOPE = re.compile(r"`?\b([a-z][a-z0-9_]*)`?\s+access\s+scope", re.IGNORECASE)
_REST_SCOPE = re.compile(r"approval for (\w+) scope", re.IGNORECASE)
_ALSO = re.compile(r"\bAlso:\s*", re.IGNORECASE)


def required_access(error: Mapping[str, Any]) -> RequiredAccess:
    """The access one ``ACCESS_DENIED`` entry of ``errors[]`` names."""
    message = str(error.get("message") or "")
    extensions = error.get("extensions")
    named = extensions.get("requiredAccess") if isinstance(extensions, Mapping) else None
    if not isinstance(named, str) or not named.strip():
        _, _, named = message.partition("Required access:")
    field = _FIELD.search(message)
    path = error.get("path")
    denied = field.group(1) if field else (str(path[-1]) if isinstance(path, list) and path else None)
    return _parse(named, denied)


def required_access_of_403(text: str) -> RequiredAccess:
    """The access a REST-style 403 names (``... requires merchant approval for write_orders scope.``)."""
    found = _REST_SCOPE.search(text)
    return RequiredAccess(scopes=(found.group(1),) if found else ())


def _parse(named: str, field: str | None) -> RequiredAccess:
    scopes_text, *rest = _ALSO.split(named, maxsplit=1)
    also = " ".join(rest[0].split()) if rest else ""
    scopes = tuple(dict.fromkeys(m.group(1).lower() for m in _SCOPE.finditer(scopes_text)))
    return RequiredAccess(scopes=scopes, also=also or None, field=field)
