"""The live display of running syncs: one line per connector (status, elapsed, polls), on a terminal only.

The only module that imports rich (``sync --wait`` and ``--resume`` on a terminal). Also keeps, per connector,
what the summary needs (label, last status, polls, and whether the API stopped answering), displayed or not.
Labels and statuses come from the server: they are shown ``safe``, and each line is cut to the terminal's
width rather than wrapped.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Column

from bigdata_connectors.cli._text import safe

if TYPE_CHECKING:
    from bigdata_connectors import DocumentsSummary, SyncProgress
    from bigdata_connectors.cli._watch import Streak

__all__ = ["SyncBoard", "Tracked", "live_console"]


def live_console(as_json: bool) -> Console | None:
    """Where live progress goes: stdout on a terminal; with --json, stderr if that is a terminal; else nowhere."""
    stream: IO[str] = sys.stderr if as_json else sys.stdout
    if not stream.isatty():
        return None
    return Console(file=stream, force_terminal=True, highlight=False, emoji=False,
                   no_color=bool(os.environ.get("NO_COLOR")))  # fmt: skip


def _cut() -> Column:
    return Column(no_wrap=True, overflow="ellipsis")


@dataclass
class Tracked:
    """What the last poll of one connector said, and the API trouble since (None once a poll succeeds)."""

    label: str = ""
    status: str | None = None
    polls: int = 0
    trouble: Streak | None = None


class SyncBoard:
    """``with SyncBoard(ids, console) as board:`` then pass ``board.update`` as ``on_progress`` and
    ``board.trouble`` as the retry listener. ``console`` None (not a terminal) shows nothing."""

    def __init__(self, connector_ids: list[str], console: Console | None, *, documents: bool = False) -> None:
        self.documents = documents  # after the sync succeeds, its documents are awaited: the line stays live
        self.tracked: dict[str, Tracked] = {}
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        if console is not None:
            self._progress = Progress(
                SpinnerColumn(finished_text="-"),
                # labels are server text: no markup, and cut rather than wrapped on a narrow terminal
                TextColumn("{task.description}", markup=False, table_column=_cut()),
                TextColumn("{task.fields[status]}", markup=False, style="cyan", table_column=_cut()),
                TimeElapsedColumn(),
                TextColumn("{task.fields[polls]} polls", markup=False, table_column=Column(no_wrap=True)),
                console=console,
                transient=True,
                refresh_per_second=8,
            )
        for cid in connector_ids:
            self.add(cid)

    def add(self, connector_id: str) -> None:
        """A line for one more connector (known only once the loop runs, as with tokens)."""
        cid = connector_id.lower()
        self.tracked.setdefault(cid, Tracked())
        if self._progress is not None and cid not in self._tasks:
            self._tasks[cid] = self._progress.add_task(f"…{cid[-12:]}", total=None, status="starting", polls=0)

    @property
    def live(self) -> bool:
        return self._progress is not None

    def __enter__(self) -> SyncBoard:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def named(self, connector_id: str, label: str) -> None:
        """The connector's label is known (read before its sync starts)."""
        row = self.tracked.setdefault(connector_id.lower(), Tracked())
        row.label = label
        self._show(connector_id.lower())

    def update(self, progress: SyncProgress) -> None:
        """The ``on_progress`` callback: one polled state of one connector (the API answered)."""
        cid = str(progress.connector.connector_id).lower()
        row = self.tracked.setdefault(cid, Tracked())
        row.label, row.status, row.polls, row.trouble = progress.connector.label, progress.status, progress.polls, None
        status = (row.status or "waiting") + (
            ", documents..." if self.documents and progress.state == "succeeded" else ""
        )
        self._show(cid, status)
        task = self._tasks.get(cid)
        over = progress.state == "failed" or (progress.state == "succeeded" and not self.documents)
        if self._progress is not None and task is not None and over:  # stop its spinner and clock
            self._progress.update(task, total=1, completed=1)
            self._progress.stop_task(task)

    def trouble(self, streak: Streak) -> None:
        """The retry listener: a request failed and will be retried; the lines it concerns say so at once."""
        from bigdata_connectors import APIConnectionError, APIStatusError
        from bigdata_connectors.cli._exit import reason

        if isinstance(streak.error, APIConnectionError):
            what = f"API unreachable ({reason(streak.error)})"
        elif isinstance(streak.error, APIStatusError):
            what = f"API answered {streak.error.status_code}"
        else:
            what = "API trouble"
        concerned = [cid for cid in self.tracked if cid in streak.path.lower()] or list(self.tracked)
        for cid in concerned:
            row = self.tracked[cid]
            row.trouble = streak
            self._show(cid, f"{row.status or 'waiting'} · {what}, retry {streak.failed}")

    def documents_update(self, connector_id: str) -> Callable[[DocumentsSummary], None]:
        """An ``on_documents_progress`` callback for one connector: its line counts the documents so far."""
        cid = connector_id.lower()

        def update(summary: DocumentsSummary) -> None:
            row = self.tracked.get(cid)
            if row is not None:
                row.trouble = None
                counts = f"{len(summary.completed)} completed, {len(summary.failed)} failed"
                if summary.processing:
                    counts += f", {len(summary.processing)} processing"
                self._show(cid, f"{row.status or 'waiting'}, documents: {counts}")

        return update

    def _show(self, cid: str, status: str | None = None) -> None:
        task, row = self._tasks.get(cid), self.tracked.get(cid)
        if self._progress is None or task is None or row is None:
            return
        # UUIDv7 ids made together share their leading (time) digits: show the trailing ones.
        description = f"{safe(row.label)} (…{cid[-12:]})" if row.label else f"…{cid[-12:]}"
        if status is None:
            self._progress.update(task, description=description, polls=row.polls)
        else:
            self._progress.update(task, description=description, polls=row.polls, status=safe(status))
