"""The live display of running syncs: one line per connector (status, elapsed, polls), on a terminal only.

Also keeps, per connector, what the summary table needs (last status, elapsed seconds, polls), whether
or not anything is displayed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from bigdata_connectors import DocumentsSummary, SyncProgress

__all__ = ["SyncBoard", "Tracked"]


@dataclass
class Tracked:
    """What the last poll of one connector said."""

    label: str = ""
    status: str | None = None
    elapsed: float = 0.0  # seconds since its wait began
    polls: int = 0


class SyncBoard:
    """``with SyncBoard(ids, console) as board:`` then pass ``board.update`` as ``on_progress``.

    ``console`` None (not a terminal, or --json with stderr not a terminal either) shows nothing.
    """

    def __init__(self, connector_ids: list[str], console: Console | None, *, documents: bool = False) -> None:
        self.documents = documents  # after the sync succeeds, its documents are awaited: the line stays live
        self.tracked: dict[str, Tracked] = {cid.lower(): Tracked() for cid in connector_ids}
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        if console is not None:
            self._progress = Progress(
                SpinnerColumn(finished_text="-"),
                TextColumn("{task.description}", markup=False),  # labels are user text, not markup
                TextColumn("{task.fields[status]}", markup=False, style="cyan"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[polls]} polls", markup=False),
                console=console,
                transient=True,
                refresh_per_second=8,
            )
            for cid in self.tracked:
                self._tasks[cid] = self._progress.add_task(cid, total=None, status="starting", polls=0)

    def __enter__(self) -> SyncBoard:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, progress: SyncProgress) -> None:
        """The ``on_progress`` callback: one polled state of one connector."""
        cid = str(progress.connector.connector_id).lower()
        row = self.tracked.setdefault(cid, Tracked())
        row.label, row.status, row.elapsed, row.polls = (
            progress.connector.label,
            progress.status,
            progress.elapsed,
            progress.polls,
        )
        task = self._tasks.get(cid)
        if self._progress is not None and task is not None:
            self._progress.update(
                task,
                # UUIDv7 ids made together share their leading (time) digits: show the trailing ones.
                description=f"{row.label} (…{cid[-12:]})",
                status=(row.status or "waiting")
                + (", documents..." if self.documents and progress.state == "succeeded" else ""),
                polls=row.polls,
            )
            if progress.state == "failed" or (
                progress.state == "succeeded" and not self.documents
            ):  # over by the completion rule: stop its spinner and clock
                self._progress.update(task, total=1, completed=1)
                self._progress.stop_task(task)

    def documents_update(self, connector_id: str) -> Callable[[DocumentsSummary], None]:
        """An ``on_documents_progress`` callback for one connector: its line counts the documents so far."""
        cid = connector_id.lower()

        def update(summary: DocumentsSummary) -> None:
            task, row = self._tasks.get(cid), self.tracked.get(cid)
            if self._progress is not None and task is not None and row is not None:
                counts = f"{len(summary.completed)} completed, {len(summary.failed)} failed"
                if summary.processing:
                    counts += f", {len(summary.processing)} processing"
                self._progress.update(task, status=f"{row.status or 'waiting'}, documents: {counts}")

        return update
