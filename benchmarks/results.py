"""Kept benchmark results: each run's raw JSON under ``benchmarks/results/<date>-<commit>-<name>.json``.

Figures quoted in ``docs/benchmarks.md`` and the README name the file they come from, so each can be
checked against the commit that produced it. A run on a tree with uncommitted changes is named
``<commit>-dirty``: such a file backs no quoted figure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def commit() -> str:
    """The short hash of ``HEAD``, with ``-dirty`` when tracked files changed; ``unknown`` outside git."""
    root = RESULTS_DIR.parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=10", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        changed = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}-dirty" if changed else head


def result_path(name: str, *, day: datetime.date | None = None, revision: str | None = None) -> Path:
    """Where the run ``name`` (``throughput``, ``chaos``) of ``day`` on ``revision`` is kept."""
    day = day or datetime.datetime.now(datetime.UTC).date()
    return RESULTS_DIR / f"{day.isoformat()}-{revision or commit()}-{name}.json"


def save(name: str, result: dict[str, Any]) -> Path:
    """Write ``result`` (with its commit and time added) as the kept run ``name``; returns the path."""
    revision = commit()
    now = datetime.datetime.now(datetime.UTC)
    path = result_path(name, day=now.date(), revision=revision)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = {"benchmark": name, "commit": revision, "finished_at": now.isoformat(timespec="seconds"), **result}
    path.write_text(json.dumps(kept, indent=1) + "\n", encoding="utf-8")
    return path


def add_save_option(parser: argparse.ArgumentParser, *, kept_by_default: str) -> None:
    """The ``--save`` / ``--no-save`` switch every benchmark takes; ``kept_by_default`` says when it keeps."""
    parser.add_argument(
        "--save",
        action=argparse.BooleanOptionalAction,
        help=f"keep the JSON under benchmarks/results/ (default: {kept_by_default})",
    )


def keep(name: str, result: dict[str, Any], *, asked: bool | None, by_default: bool) -> None:
    """Save ``result`` as the run ``name`` when asked (``--save``), or by default unless ``--no-save``."""
    if asked if asked is not None else by_default:
        print(f"kept as {save(name, result)}", file=sys.stderr)
