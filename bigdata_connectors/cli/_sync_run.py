"""The work behind ``sync``: starting syncs, following them, the summary. Loaded when the command runs."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from bigdata_connectors import (
    BigdataClient,
    BigdataError,
    Connector,
    Document,
    DocumentsSummary,
    SyncFailedError,
    SyncHandle,
    SyncReport,
    SyncTimeoutError,
)
from bigdata_connectors.cli._common import PROG
from bigdata_connectors.cli._exit import ExitCode, describe
from bigdata_connectors.cli._output import Output, connector_json, new_table, status_text, when
from bigdata_connectors.cli._progress import SyncBoard, Tracked
from bigdata_connectors.cli._runtime import run

__all__ = ["documents", "resume", "start", "wait"]

DEFAULT_TIMEOUT = 1800.0  # seconds, as the SDK's sync_and_wait


@dataclass
class Result:
    """How one connector's sync ended."""

    connector_id: str
    connector: Connector | None
    error: Exception | None
    tracked: Tracked
    documents: DocumentsSummary | None = None  # with --documents: what the sync brought in

    @property
    def summary(self) -> DocumentsSummary | None:
        """The documents summary, also the last one seen when the documents wait timed out."""
        return self.documents if self.documents is not None else getattr(self.error, "documents", None)

    @property
    def problem(self) -> tuple[ExitCode, str] | None:
        """(exit code, one-line message) when this connector did not fully succeed, else None."""
        if self.error is not None:
            return describe(self.error)
        if self.documents is not None and self.documents.failed:
            names = self.documents.failed_names
            shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            return ExitCode.SYNC_FAILED, f"{len(names)} documents failed to process: {shown}"
        return None

    @property
    def outcome(self) -> str:
        if self.error is None:
            return "documents_failed" if self.problem is not None else "success"
        if isinstance(self.error, SyncFailedError):
            return "failed"
        if isinstance(self.error, SyncTimeoutError):
            return "timed_out"
        return "error"

    @property
    def last(self) -> Connector | None:
        """The connector as last seen (also from a failure or a timeout)."""
        if self.connector is not None:
            return self.connector
        return getattr(self.error, "connector", None)

    def as_json(self) -> dict[str, Any]:
        last = self.last
        code, message = self.problem or (ExitCode.OK, None)
        docs = self.summary
        return {
            "connector_id": self.connector_id,
            "result": self.outcome,
            "status": last.last_sync_status if last else self.tracked.status,
            "items": last.last_sync_count if last else None,
            "files_count": last.files_count if last else None,
            "elapsed": round(self.tracked.elapsed, 3),
            "polls": self.tracked.polls,
            "error": message,
            "exit_code": int(code),
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


def _progress_console(as_json: bool) -> Console | None:
    """Where live progress goes: stdout on a terminal; with --json, stderr if that is a terminal; else nowhere."""
    from bigdata_connectors.cli._output import console_for

    stream = sys.stderr if as_json else sys.stdout
    return console_for(stream) if stream.isatty() else None


def start(ctx: click.Context, ids: list[str], date_limit: date | None, timeout: float | None, as_json: bool) -> None:
    """Start each sync with ``start_sync`` and print its token; one connector's error does not stop the others.

    Each connector is read first for its label and type, so that ``--date-limit`` goes only to the types
    that take it (as ``sync_many`` does). ``timeout`` becomes the handle's wall-clock deadline, in the token.
    """

    async def one(client: BigdataClient, connector_id: str) -> dict[str, Any]:
        connector = await client.connectors.get(connector_id)
        limit = None if connector.type == "sharepoint" else date_limit
        handle = await client.connectors.start_sync(connector.connector_id, date_limit=limit, timeout=timeout)
        return {
            "connector_id": str(handle.connector_id),
            "label": connector.label,
            "started_at": handle.started_at.isoformat(),
            "baseline": handle.baseline.isoformat() if handle.baseline else None,
            "deadline": handle.deadline.isoformat() if handle.deadline else None,
            "date_limit": limit.isoformat() if limit else None,
            "token": handle.token(),
        }

    async def work(client: BigdataClient) -> list[tuple[str, dict[str, Any] | None, Exception | None]]:
        results: list[tuple[str, dict[str, Any] | None, Exception | None]] = []
        for connector_id in ids:
            try:
                results.append((connector_id, await one(client, connector_id), None))
            except (BigdataError, ValueError, TypeError) as err:
                results.append((connector_id, None, err))
        return results

    results = run(ctx, work)
    started = [row for _, row, _ in results if row is not None]
    out = Output(as_json)
    if as_json:
        out.json_lines(started)
    elif started:
        table = new_table("ID", "LABEL", "STARTED AT", "DATE LIMIT")
        for row in started:
            moment = datetime.fromisoformat(row["started_at"])
            table.add_row(row["connector_id"], Text(row["label"]), when(moment), row["date_limit"] or "")
        out.table(table)
        resume = " ".join(f"--resume {row['token']}" for row in started)
        out.say(
            Text(f"Started; the syncs run on the server. To wait for them, here or anywhere:\n  {PROG} sync {resume}")
        )
    failures = [(cid, err) for cid, _, err in results if err is not None]
    for cid, err in failures:
        click.echo(f"{PROG}: error: {cid}: {describe(err)[1]}", err=True)
    if failures:
        ctx.exit(describe(failures[0][1])[0])


def resume(
    ctx: click.Context, tokens: list[str], timeout: float | None, poll_interval: float, documents: bool, as_json: bool
) -> None:
    """Wait for syncs started elsewhere, one ``resume_sync`` handle per token, all at once."""
    max_poll = max(poll_interval, 30.0)

    async def work(client: BigdataClient) -> list[Result]:
        handles = [client.connectors.resume_sync(token) for token in tokens]  # a bad token fails before any request
        ids = [str(h.connector_id) for h in handles]
        with SyncBoard(ids, _progress_console(as_json), documents=documents) as board:

            async def one(handle: SyncHandle, cid: str) -> Result:
                try:
                    done = await handle.wait(
                        timeout=timeout, poll_interval=poll_interval, max_poll_interval=max_poll,
                        on_progress=board.update, documents=documents,
                        on_documents_progress=board.documents_update(cid),
                    )  # fmt: skip
                except (BigdataError, ValueError) as err:
                    return Result(cid, None, err, board.tracked.get(cid, Tracked()))
                return _done(cid, done, board)

            return list(await asyncio.gather(*(one(h, cid) for h, cid in zip(handles, ids, strict=True))))

    _finish(ctx, work, as_json)


def wait(
    ctx: click.Context,
    ids: list[str],
    date_limit: date | None,
    timeout: float | None,
    poll_interval: float,
    concurrency: int,
    documents: bool,
    as_json: bool,
) -> None:
    """Trigger and follow: ``sync_and_wait`` for one id, ``sync_many`` for several; with ``documents``,
    several ids run as ``start_sync`` + ``wait(documents=True)``, at most ``concurrency`` at once
    (``sync_many`` has no documents option)."""
    limit = DEFAULT_TIMEOUT if timeout is None else timeout
    max_poll = max(poll_interval, 30.0)

    async def work(client: BigdataClient) -> list[Result]:
        with SyncBoard(ids, _progress_console(as_json), documents=documents) as board:
            if len(ids) == 1:
                sync = client.connectors.sync_and_wait
                try:
                    done: Connector | SyncReport
                    if documents:
                        done = await sync(ids[0], date_limit=date_limit, timeout=limit, poll_interval=poll_interval,
                                          max_poll_interval=max_poll, on_progress=board.update,
                                          wait_for_documents=True,
                                          on_documents_progress=board.documents_update(ids[0]))  # fmt: skip
                    else:
                        done = await sync(ids[0], date_limit=date_limit, timeout=limit, poll_interval=poll_interval,
                                          max_poll_interval=max_poll, on_progress=board.update)  # fmt: skip
                except (SyncFailedError, SyncTimeoutError) as err:
                    return [Result(ids[0], None, err, board.tracked.get(ids[0].lower(), Tracked()))]
                return [_done(ids[0], done, board)]
            if documents:
                gate = asyncio.Semaphore(concurrency)

                async def one(cid: str) -> Result:
                    async with gate:
                        try:
                            connector = await client.connectors.get(cid)
                            handle = await client.connectors.start_sync(
                                cid, date_limit=None if connector.type == "sharepoint" else date_limit, timeout=limit
                            )
                            report = await handle.wait(
                                poll_interval=poll_interval, max_poll_interval=max_poll,
                                on_progress=board.update, documents=True,
                                on_documents_progress=board.documents_update(cid),
                            )  # fmt: skip
                        except (BigdataError, ValueError, TypeError) as err:
                            return Result(cid, None, err, board.tracked.get(cid.lower(), Tracked()))
                        return _done(cid, report, board)

                return list(await asyncio.gather(*(one(cid) for cid in ids)))
            outcomes = await client.connectors.sync_many(
                ids,
                date_limit=date_limit,
                concurrency=concurrency,
                timeout=limit,
                poll_interval=poll_interval,
                max_poll_interval=max_poll,
                on_progress=board.update,
            )
            return [
                Result(o.connector_id, o.connector, o.error, board.tracked.get(o.connector_id.lower(), Tracked()))
                for o in outcomes
            ]

    _finish(ctx, work, as_json)


def _done(cid: str, done: Connector | SyncReport, board: SyncBoard) -> Result:
    tracked = board.tracked.get(cid.lower(), Tracked())
    if isinstance(done, SyncReport):
        return Result(cid, done.connector, None, tracked, done.documents)
    return Result(cid, done, None, tracked)


def _finish(ctx: click.Context, work: Callable[[BigdataClient], Awaitable[list[Result]]], as_json: bool) -> None:
    """Run the waits, print the summary, exit with the first non-success's code."""
    try:
        results = run(ctx, work)
    except KeyboardInterrupt:
        raise click.exceptions.Abort("the syncs already started go on on the server") from None
    _report(results, as_json)
    problems = [r.problem for r in results if r.problem is not None]
    if problems:
        ctx.exit(problems[0][0])


def _report(results: Sequence[Result], as_json: bool) -> None:
    out = Output(as_json)
    if as_json:
        out.json_lines(r.as_json() for r in results)
    else:
        with_docs = any(r.summary is not None for r in results)
        headers = ["CONNECTOR", "ID", "RESULT", "ITEMS", "FILES", "TIME", "POLLS"] + (
            ["DOCUMENTS"] if with_docs else []
        )
        table = new_table(*headers, right=("ITEMS", "FILES", "TIME", "POLLS"))
        for r in results:
            last = r.last
            status = (last.last_sync_status if last else r.tracked.status) or ""
            if r.outcome == "success":
                result = status_text(status)
            elif r.outcome == "documents_failed":
                result = Text(f"{status}, documents failed", style="red")
            elif r.outcome == "failed":
                result = Text(f"failed: {status}", style="red")
            elif r.outcome == "timed_out":
                result = Text(f"timed out: {status or 'no answer'}", style="yellow")
            else:
                result = Text(f"error: {type(r.error).__name__}", style="red")
            cells: list[str | Text] = [
                Text(last.label if last else r.tracked.label),
                r.connector_id,
                result,
                "" if last is None or last.last_sync_count is None else str(last.last_sync_count),
                "" if last is None or last.files_count is None else str(last.files_count),
                f"{r.tracked.elapsed:.1f}s",
                str(r.tracked.polls),
            ]
            if with_docs:
                cells.append(_docs_cell(r.summary))
            table.add_row(*cells)
        out.table(table)
    for r in results:
        if r.problem is not None:
            click.echo(f"{PROG}: error: {r.connector_id}: {r.problem[1]}", err=True)


def _docs_cell(docs: DocumentsSummary | None) -> str:
    if docs is None:
        return ""
    parts = [f"{len(docs.completed)} completed"]
    if docs.failed:
        parts.append(f"{len(docs.failed)} failed")
    if docs.processing:
        parts.append(f"{len(docs.processing)} processing")
    return ", ".join(parts)


def _size(raw: int | None) -> str:
    if raw is None:
        return ""
    size = float(raw)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{raw} B"


def documents(
    ctx: click.Context, connector_id: str, statuses: list[str], from_date: date | None, as_json: bool
) -> None:
    """The connector's documents as a table or JSON lines (every page)."""

    async def work(client: BigdataClient) -> list[Document]:
        listing = client.documents.list(connector=connector_id, status=statuses or None, from_date=from_date)
        return [document async for document in listing]

    found = run(ctx, work)
    out = Output(as_json)
    if as_json:
        out.json_lines(d.model_dump(mode="json", by_alias=True) for d in found)
        return
    if not found:
        out.say("No documents" + (" in that status" if statuses else "") + ".")
        return
    table = new_table("ID", "FILE NAME", "STATUS", "SIZE", "TYPE", "CREATED AT", right=("SIZE",))
    for d in found:
        table.add_row(d.id, Text(d.file_name or ""), status_text(str(d.status)), _size(d.raw_size),
                      Text(d.content_type or ""), when(d.created_at))  # fmt: skip
    out.table(table)
