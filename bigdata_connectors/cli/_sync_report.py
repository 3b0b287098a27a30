"""How syncs ended, as the command line reports them: the summary table (or JSON lines), one error line per
connector that did not succeed, and, for syncs that go on on the server, the exact command to wait again.

A sync that did not finish here (timed out, or the API stopped answering) shows neither counts nor a sync time:
the connector's counts are still the previous sync's. Its time is how long this command waited, on our clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from bigdata_connectors import APIConnectionError, Connector, DocumentsSummary, SyncFailedError, SyncTimeoutError
from bigdata_connectors.cli._common import PROG
from bigdata_connectors.cli._exit import ExitCode, Where, describe
from bigdata_connectors.cli._output import Output, connector_json, status_style
from bigdata_connectors.cli._progress import Tracked
from bigdata_connectors.cli._table import REQUIRED, Cell, Column, Table
from bigdata_connectors.cli._text import count, duration, safe

__all__ = ["Result", "report", "resume_command"]

_KIND = {
    ExitCode.USAGE: "refused",
    ExitCode.CONFIG: "configuration",
    ExitCode.AUTH: "not allowed",
    ExitCode.NOT_FOUND: "not found",
    ExitCode.RATE_LIMITED: "rate limited",
    ExitCode.REJECTED: "rejected",
    ExitCode.UNAVAILABLE: "API unavailable",
    ExitCode.CONFLICT: "conflict",
}


@dataclass
class Result:
    """How one connector's sync ended here. ``elapsed``: seconds this command waited for it. ``token``: for a
    sync started but not seen to finish, a token (with no deadline) that ``sync --resume`` waits on."""

    connector_id: str
    connector: Connector | None
    error: Exception | None
    tracked: Tracked
    elapsed: float
    token: str | None = None
    documents: DocumentsSummary | None = None  # with --documents: what the sync brought in
    note: str | None = None  # said instead of the error's own message (a deadline that had passed)

    @property
    def summary(self) -> DocumentsSummary | None:
        """The documents summary, also the last one seen when the documents wait timed out."""
        return self.documents if self.documents is not None else getattr(self.error, "documents", None)

    @property
    def outcome(self) -> str:
        if self.error is None:
            return "documents_failed" if self.summary is not None and self.summary.failed else "success"
        if isinstance(self.error, SyncFailedError):
            return "failed"
        if isinstance(self.error, SyncTimeoutError):
            return "timed_out"
        return "error"

    @property
    def finished(self) -> bool:
        """The sync ended (well or not) while we watched: the connector's counts are this sync's."""
        return self.outcome in ("success", "documents_failed", "failed") or (
            self.summary is not None  # documents timed out: the sync itself had succeeded
        )

    @property
    def last(self) -> Connector | None:
        """The connector as last seen (also from a failure or a timeout)."""
        return self.connector if self.connector is not None else getattr(self.error, "connector", None)

    def problem(self, where: Where) -> tuple[ExitCode, str] | None:
        """(exit code, one-line message) when this connector did not fully succeed, else None."""
        if self.error is not None:
            code, message = describe(self.error, where)
            if self.note is not None:
                message = self.note
            trouble = self.tracked.trouble
            if code == ExitCode.SYNC_TIMEOUT and trouble is not None and "unreachable" not in message:
                message = message.replace(
                    "; the sync goes on",
                    f"; the API had not answered for {duration(trouble.seconds)} ({trouble.failed} failed attempts)"
                    "; the sync goes on",
                )
            if self.token is not None and "goes on on the server" not in message:
                message += "; the sync goes on on the server"
            return code, message
        if self.summary is not None and self.summary.failed:
            names = [safe(n) for n in self.summary.failed_names]
            shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            return ExitCode.SYNC_FAILED, f"{len(names)} documents failed to process: {shown}"
        return None

    def as_json(self, where: Where) -> dict[str, Any]:
        last = self.last
        code, message = self.problem(where) or (ExitCode.OK, None)
        docs = self.summary
        return {
            "connector_id": self.connector_id,
            "result": self.outcome,
            "status": last.last_sync_status if last else self.tracked.status,
            "items": last.last_sync_count if last and self.finished else None,
            "files_count": last.files_count if last and self.finished else None,
            "elapsed": round(self.elapsed, 3),
            "polls": self.tracked.polls,
            "error": message,
            "exit_code": int(code),
            "token": self.token,
            "documents": None
            if docs is None
            else {
                "completed": len(docs.completed),
                "failed": len(docs.failed),
                "processing": len(docs.processing),
                "expected": docs.expected,
                "failed_names": docs.failed_names,
            },
            "connector": connector_json(last) if last else None,
        }

    def result_cell(self, where: Where) -> Cell:
        last = self.last
        status = safe((last.last_sync_status if last else self.tracked.status) or "")
        outcome = self.outcome
        if outcome == "success":
            return Cell(status, status_style(status))
        if outcome == "documents_failed":
            return Cell(f"{status}, documents failed", "red")
        if outcome == "failed":
            return Cell(f"failed: {status}", "red")
        if outcome == "timed_out":
            return Cell(f"timed out: {status or 'no answer'}", "yellow")
        if isinstance(self.error, APIConnectionError):
            return Cell("error: API unreachable", "red")
        code = describe(self.error, where)[0] if self.error is not None else ExitCode.ERROR
        return Cell(f"error: {_KIND.get(code, 'unexpected')}", "red")


def _docs_cell(docs: DocumentsSummary | None) -> str:
    if docs is None:
        return ""
    parts = [f"{count(len(docs.completed))} completed"]
    if docs.failed:
        parts.append(f"{count(len(docs.failed))} failed")
    if docs.processing:
        parts.append(f"{count(len(docs.processing))} processing")
    return ", ".join(parts)


def summary_table(results: Sequence[Result], where: Where) -> Table:
    with_docs = any(r.summary is not None for r in results)
    columns = [
        Column("CONNECTOR", REQUIRED, flexible=True),
        Column("ID", REQUIRED),
        Column("RESULT", REQUIRED),
        Column("ITEMS", 50, right=True),
        Column("FILES", 40, right=True),
        Column("TIME", 60, right=True),
        Column("POLLS", 30, right=True),
    ] + ([Column("DOCUMENTS", 70, flexible=True, min_width=12)] if with_docs else [])
    table = Table(columns, heading=1)
    for r in results:
        last = r.last if r.finished else None
        cells: list[str | Cell] = [
            safe((r.last.label if r.last else "") or r.tracked.label),
            r.connector_id,
            r.result_cell(where),
            count(last.last_sync_count) if last else "",
            count(last.files_count) if last else "",
            duration(r.elapsed),
            count(r.tracked.polls),
        ]
        if with_docs:
            cells.append(_docs_cell(r.summary))
        table.add(*cells)
    return table


def resume_command(tokens: Sequence[str], *, documents: bool = False) -> str:
    """The one line that waits for these syncs again, from any shell."""
    return f"{PROG} sync " + " ".join(f"--resume {t}" for t in tokens) + (" --documents" if documents else "")


def report(results: Sequence[Result], where: Where, *, as_json: bool, documents: bool) -> ExitCode:
    """Print the summary (stdout), then on stderr a line per problem and the command to wait again; return the
    exit code: that of the first connector (in the order given) that did not succeed, else 0."""
    out = Output(as_json)
    if as_json:
        out.json_lines(r.as_json(where) for r in results)
    else:
        out.table(summary_table(results, where))
    problems = [(r.connector_id, r.problem(where)) for r in results]
    for cid, problem in problems:
        if problem is not None:
            click.echo(f"{PROG}: error: {cid}: {problem[1]}", err=True)
    going_on = [r.token for r in results if r.token is not None]
    if going_on:
        them = "it" if len(going_on) == 1 else "them"
        click.echo(f"To wait for {them} again, here or anywhere:", err=True)
        click.echo(resume_command(going_on, documents=documents), err=True)  # a line of its own, never wrapped
    first = next((p for _, p in problems if p is not None), None)
    return first[0] if first is not None else ExitCode.OK
