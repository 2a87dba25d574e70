"""The final report of a sync: what a person reads at the end, and what ``--json`` prints."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from worker.contract.tracking import SyncCounts


@dataclass
class ResourceReport:
    """Counts for one resource of a sync."""

    total: int = 0
    synced: int = 0
    dead_lettered: int = 0
    failed: int = 0
    paused: int = 0
    retries: int = 0
    superseded: int = 0

    @classmethod
    def from_counts(cls, counts: SyncCounts) -> ResourceReport:
        """``failed``: every record neither synced, dead-lettered nor superseded (paused, unfinished).

        ``superseded``: records a later record of the same sync replaced (the same inventory item and
        location); they are not written and not dead letters.
        """
        return cls(
            total=counts.total,
            synced=counts.synced,
            dead_lettered=counts.dead_lettered,
            failed=counts.total - counts.synced - counts.dead_lettered - counts.superseded,
            paused=counts.paused,
            retries=counts.retries,
            superseded=counts.superseded,
        )


@dataclass
class SyncReport:
    """The outcome of one run of ``sync`` or ``demo``: totals and a breakdown per resource."""

    sync_id: str
    shop: str
    mode: str
    duration_s: float = 0.0
    resources: dict[str, ResourceReport] = field(default_factory=dict)
    paused_shops: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def _sum(self, name: str) -> int:
        return sum(int(getattr(r, name)) for r in self.resources.values())

    @property
    def ok(self) -> bool:
        """True when every record was synced (or superseded by a later one that was)."""
        return self._sum("synced") + self._sum("superseded") == self._sum("total")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: totals first, then ``resources`` with the same counts per resource."""
        totals = {
            name: self._sum(name)
            for name in ("total", "synced", "dead_lettered", "superseded", "failed", "paused", "retries")
        }
        return {
            "sync_id": self.sync_id,
            "shop": self.shop,
            "mode": self.mode,
            **totals,
            "duration_s": round(self.duration_s, 3),
            "resources": {name: asdict(r) for name, r in self.resources.items()},
            "paused_shops": self.paused_shops,
            "files": self.files,
            **self.extra,
        }

    def write(self, path: Path) -> None:
        """Write the JSON form to ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    def render_text(self) -> str:
        """A short human-readable summary."""
        data = self.to_dict()
        lines = [
            f"sync {self.sync_id} to shop {self.shop} ({self.mode} mode) in {data['duration_s']:.1f}s",
            f"  total {data['total']}  synced {data['synced']}  dead-lettered {data['dead_lettered']}  "
            f"superseded {data['superseded']}  failed {data['failed']}  retries {data['retries']}",
        ]
        for name, r in self.resources.items():
            lines.append(
                f"  {name}: {r.synced}/{r.total} synced, {r.dead_lettered} dead-lettered, "
                f"{r.superseded} superseded, {r.failed} failed"
            )
        for shop, why in self.paused_shops.items():
            lines.append(
                f"  shop {shop} is PAUSED ({why}); its records are held: shopify-sync shops resume {shop}"
            )
        for name, value in self.extra.items():
            lines.append(f"  {name}: {value}")
        for label, path in self.files.items():
            lines.append(f"  {label}: {path}")
        return "\n".join(lines)
