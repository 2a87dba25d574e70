"""Which API version answers a request: Shopify serves an unsupported old version by falling forward.

FACTS.md, "More observed on live stores" (API versions, lines 151-153): a request to a version that is
no longer supported is answered by the oldest supported one (``2025-01`` in mid-2026 was answered
normally), and ``X-Shopify-API-Version`` names the version that served it. A 404 means a wrong shop or
path. What Shopify does with a well-formed version newer than the newest release is unverified: the
simulator answers 404, as for any other path it does not serve.
"""

from __future__ import annotations

import re

SUPPORTED_API_VERSIONS: tuple[str, ...] = ("2026-04", "2026-07", "2026-10")
_RELEASE = re.compile(r"^(\d{4})-(01|04|07|10)$")


def served_version(requested: str) -> str | None:
    """The version that answers a request for ``requested``; None when the path is not an API version."""
    if requested in SUPPORTED_API_VERSIONS:
        return requested
    if _RELEASE.match(requested) and requested < SUPPORTED_API_VERSIONS[0]:
        return SUPPORTED_API_VERSIONS[0]
    return None
