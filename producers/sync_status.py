"""A sync's progress as ``shopify-sync status`` and ``GET /syncs/<id>`` report it, mid-run or after.

Only records that failed count as failed: dead-lettered ones. Records still queued or in flight are
``pending``, records between attempts ``retrying``, records of a paused shop ``paused``. Times are ISO
8601 (UTC) in JSON, and local with how long ago in text.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from worker.contract.taskview import iso_time
from worker.contract.tracking import SyncTracker


def sync_status(tracker: SyncTracker, sync_id: str) -> dict[str, Any] | None:
    """The sync's identity, start time and counts; None when the sync is unknown."""
    meta = tracker.meta(sync_id)
    if not meta:
        return None
    counts = tracker.counts(sync_id)
    started = _epoch(meta.get("started_at"))
    return {
        **{name: meta[name] for name in ("sync_id", "shop", "resource") if name in meta},
        "started_at": iso_time(started) if started is not None else None,
        "total": counts.total,
        "synced": counts.synced,
        "dead_lettered": counts.dead_lettered,
        "superseded": counts.superseded,
        "failed": counts.dead_lettered,
        "paused": counts.paused,
        "retrying": counts.retrying,
        "pending": counts.pending,
        "retries": counts.retries,
        "finished": counts.finished,
    }


def _epoch(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def ago(seconds: float) -> str:
    """``"12 s ago"``, ``"4 min ago"``, ``"3 h 5 min ago"``, ``"2 days ago"``; ``"in 5 s"`` for the future."""
    if seconds < 0:
        return "in " + ago(-seconds).removesuffix(" ago")
    s = int(seconds)
    if s < 60:
        text = f"{s} s"
    elif s < 3600:
        text = f"{s // 60} min"
    elif s < 86400:
        text = f"{s // 3600} h {s % 3600 // 60} min"
    else:
        text = f"{s // 86400} day{'s' if s >= 2 * 86400 else ''}"
    return f"{text} ago"


def local_time(iso: str, now: float | None = None) -> str:
    """An ISO 8601 time as local time with how long ago: ``2026-12-05 18:03:12 CET (4 min ago)``."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    now = time.time() if now is None else now
    return f"{moment:%Y-%m-%d %H:%M:%S %Z} ({ago(now - moment.timestamp())})"


def render_text(status: dict[str, Any], now: float | None = None) -> str:
    """The text form: one ``name: value`` line each, the start time local and relative."""
    lines = []
    for name, value in status.items():
        shown = local_time(value, now) if name.endswith("_at") and isinstance(value, str) else value
        lines.append(f"{name:>14}: {shown}")
    return "\n".join(lines)
