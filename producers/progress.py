"""A progress bar for a running sync (on stderr, so ``--json`` output stays clean)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from producers.pipeline import ProgressCallback
from worker.contract.tracking import SyncCounts


@contextmanager
def sync_progress(label: str, *, enabled: bool) -> Iterator[ProgressCallback]:
    """Yields a callback that redraws the bar from a sync's counts; a no-op when disabled."""
    if not enabled:
        yield lambda _counts: None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=16),
        MofNCompleteColumn(),
        TextColumn(
            "synced [green]{task.fields[synced]}[/] dead-lettered [red]{task.fields[dead]}[/] "
            "retrying [yellow]{task.fields[retrying]}[/] paused {task.fields[paused]}"
        ),
        TimeElapsedColumn(),
    )
    # Redrawn by the callback, without rich's refresh thread: the producer forks mapping processes
    # (producers.parallel), and a thread holding a lock at that moment could leave it held in the child.
    with Progress(*columns, console=Console(stderr=True), transient=False, auto_refresh=False) as progress:
        task = progress.add_task(label, total=None, synced=0, dead=0, retrying=0, paused=0)

        def update(counts: SyncCounts) -> None:
            progress.update(
                task,
                total=counts.total or None,
                completed=counts.synced + counts.dead_lettered + counts.superseded + counts.paused,
                synced=counts.synced,
                dead=counts.dead_lettered,
                retrying=counts.retrying,
                paused=counts.paused,
                refresh=True,
            )

        yield update
