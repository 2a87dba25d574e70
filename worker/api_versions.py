"""The API version that answered, against the one configured.

Shopify answers a request for a version it no longer supports with its oldest supported version and
names the version that served it in ``X-Shopify-API-Version`` (FACTS.md, "More observed on live
stores"); a 404 means a wrong shop or path, never an old version. So an old configured version keeps
working silently, with other behaviour: the connector warns (the worker's log once per shop and
version, ``check`` and ``auth status``) instead of failing.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

_warned: set[tuple[str, str, str]] = set()
_lock = threading.Lock()


def fallen_forward(configured: str, served: str | None) -> str | None:
    """A warning when Shopify served another version than the configured one, else None."""
    if not served or served == configured:
        return None
    return (
        f"API version {configured} is no longer served: Shopify answered with {served}; "
        f"set api_version to {served} or newer"
    )


def note_served(shop: str, configured: str, served: str | None) -> None:
    """Log the fall-forward warning once per shop, configured and served version in this process."""
    warning = fallen_forward(configured, served)
    if warning is None:
        return
    key = (shop, configured, served or "")
    with _lock:
        if key in _warned:
            return
        _warned.add(key)
    log.warning(warning, extra={"shop": shop})
