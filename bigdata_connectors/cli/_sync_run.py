"""The work behind ``sync``: starting syncs, following them, reporting how they ended. Loaded when it runs.

Every followed sync has a handle (``start_sync`` + ``wait``, or ``resume_sync`` + ``wait``), one or many ids
alike, so that a wait that ends early (timed out, the API unreachable, Ctrl-C) can print the exact command that
waits for it again. The tokens printed then carry no deadline: the sync goes on on the server, and a deadline
that has passed would make the command useless.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import click

from bigdata_connectors import BigdataClient, BigdataError, SyncHandle, SyncReport, SyncTimeoutError
from bigdata_connectors.cli._common import PROG
from bigdata_connectors.cli._exit import ExitCode, describe
from bigdata_connectors.cli._output import Output
from bigdata_connectors.cli._progress import SyncBoard, Tracked, live_console
from bigdata_connectors.cli._runtime import last_run, run
from bigdata_connectors.cli._sync_report import Result, report, resume_command
from bigdata_connectors.cli._table import REQUIRED, Column, Table
from bigdata_connectors.cli._text import safe, when

__all__ = ["resume", "start", "wait"]

DEFAULT_TIMEOUT = 1800.0  # seconds, as the SDK's sync_and_wait
MAX_POLL_INTERVAL = 30.0  # seconds


def _unique(ids: list[str]) -> list[str]:
    """Each connector once, in the order first given (as ``sync_many`` does)."""
    return list(dict.fromkeys(i.lower() for i in ids))


def start(ctx: click.Context, ids: list[str], date_limit: date | None, timeout: float | None, as_json: bool) -> None:
    """Start each sync with ``start_sync`` and print its token; one connector's error does not stop the others.

    Each connector is read first for its label and type, so that ``--date-limit`` goes only to the types that take
    it. ``timeout`` (seconds) becomes the handle's wall-clock deadline, carried in the token.
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
            except (BigdataError, ValueError) as err:
                results.append((connector_id, None, err))
        return results

    results = run(ctx, work)
    started = [row for _, row, _ in results if row is not None]
    out = Output(as_json)
    if as_json:
        out.json_lines(started)
    elif started:
        table = Table([Column("ID", REQUIRED), Column("LABEL", REQUIRED, flexible=True),
                       Column("STARTED AT", REQUIRED), Column("DATE LIMIT", 50)])  # fmt: skip
        for row in started:
            table.add(row["connector_id"], safe(row["label"]), when(datetime.fromisoformat(row["started_at"])),
                      row["date_limit"] or "")  # fmt: skip
        out.table(table)
        single = len(started) == 1
        out.say(f"Started; the sync{'' if single else 's'} run{'s' if single else ''} on the server. "
                f"To wait for {'it' if single else 'them'}, here or anywhere:")  # fmt: skip
        out.say(resume_command([row["token"] for row in started]), fold=False)  # a line of its own, to copy
    failures = [(cid, err) for cid, _, err in results if err is not None]
    for cid, err in failures:
        click.echo(f"{PROG}: error: {cid}: {describe(err, last_run())[1]}", err=True)
    if failures:
        ctx.exit(describe(failures[0][1], last_run())[0])


def _free_token(client: BigdataClient, handle: SyncHandle) -> str:
    """A token for the same sync without a deadline: what the command to wait again carries."""
    if handle.deadline is None:
        return handle.token()
    free = client.connectors.attach_sync(handle.connector_id, after=handle.baseline, started_at=handle.started_at)
    return free.token()


class _Follow:
    """Waits on handles with a live board; keeps, per connector, the token to wait again until its sync ends."""

    def __init__(self, ids: list[str], *, timeout: float | None, poll_interval: float, documents: bool,
                 as_json: bool) -> None:  # fmt: skip
        self.board = SyncBoard(ids, live_console(as_json), documents=documents)
        self.timeout, self.poll_interval, self.documents = timeout, poll_interval, documents
        self.tokens: dict[str, str] = {}
        self.deadlines: dict[str, datetime] = {}

    async def wait(self, client: BigdataClient, cid: str, handle: SyncHandle, began: float) -> Result:
        self.tokens[cid] = _free_token(client, handle)
        if handle.deadline is not None:
            self.deadlines[cid] = handle.deadline
        remaining = None if self.timeout is None else max(self.timeout - (time.monotonic() - began), 0.001)
        done = await handle.wait(
            timeout=remaining, poll_interval=self.poll_interval,
            max_poll_interval=max(self.poll_interval, MAX_POLL_INTERVAL), on_progress=self.board.update,
            documents=self.documents, on_documents_progress=self.board.documents_update(cid),
        )  # fmt: skip
        self.tokens.pop(cid, None)
        report_ = done if isinstance(done, SyncReport) else None
        connector = done.connector if isinstance(done, SyncReport) else done
        return Result(cid, connector, None, self.tracked(cid), time.monotonic() - began,
                      documents=report_.documents if report_ else None)  # fmt: skip

    def failed(self, cid: str, err: Exception, began: float) -> Result:
        """A wait that raised. The sync goes on (a token to wait again) when the wait ran out or the API failed;
        not when the sync failed, or the connector is gone or archived."""
        token = self.tokens.pop(cid, None)
        deadline = self.deadlines.get(cid)
        note = None
        if isinstance(err, SyncTimeoutError) and deadline is not None and deadline <= datetime.now(UTC):
            note = "the deadline this sync was started with (sync --timeout) has passed"
        going_on = isinstance(err, SyncTimeoutError) or describe(err)[0] in (
            ExitCode.UNAVAILABLE,
            ExitCode.RATE_LIMITED,
        )
        elapsed = time.monotonic() - began
        return Result(cid, None, err, self.tracked(cid), elapsed, token=token if going_on else None, note=note)

    def tracked(self, cid: str) -> Tracked:
        return self.board.tracked.get(cid.lower(), Tracked())

    def run(self, ctx: click.Context, work: Callable[[BigdataClient], Awaitable[list[Result]]], as_json: bool) -> None:
        """Run the waits, print the summary, exit with the first non-success's code; on Ctrl-C, say how to
        wait again for the syncs that go on."""
        with self.board:
            try:
                results = run(ctx, work, on_retry=self.board.trouble if self.board.live else None)
            except KeyboardInterrupt:
                results = None
        if results is None:
            click.echo(f"{PROG}: interrupted (the syncs already started go on on the server)", err=True)
            if self.tokens:
                click.echo("To wait for them again, here or anywhere:", err=True)
                click.echo(resume_command(list(self.tokens.values()), documents=self.documents), err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))
        code = report(results, last_run(), as_json=as_json, documents=self.documents)
        if code != ExitCode.OK:
            ctx.exit(int(code))


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
    """Trigger and follow each sync (``start_sync`` + ``wait``), at most ``concurrency`` at once; one connector's
    failure does not stop the others. ``timeout`` (seconds, default 1800) is the whole wait per connector."""
    ids = _unique(ids)
    follow = _Follow(ids, timeout=DEFAULT_TIMEOUT if timeout is None else timeout, poll_interval=poll_interval,
                     documents=documents, as_json=as_json)  # fmt: skip
    gate = asyncio.Semaphore(concurrency)

    async def one(client: BigdataClient, cid: str) -> Result:
        async with gate:
            began = time.monotonic()
            try:
                connector = await client.connectors.get(cid)
                follow.board.named(cid, connector.label)
                limit = None if connector.type == "sharepoint" else date_limit
                handle = await client.connectors.start_sync(connector.connector_id, date_limit=limit)
                return await follow.wait(client, cid, handle, began)
            except (BigdataError, ValueError) as err:
                return follow.failed(cid, err, began)

    async def work(client: BigdataClient) -> list[Result]:
        return list(await asyncio.gather(*(one(client, cid) for cid in ids)))

    follow.run(ctx, work, as_json)


def resume(
    ctx: click.Context, tokens: list[str], timeout: float | None, poll_interval: float, documents: bool, as_json: bool
) -> None:
    """Wait for syncs started elsewhere, one ``resume_sync`` handle per token, all at once; never triggers."""
    follow = _Follow([], timeout=timeout, poll_interval=poll_interval, documents=documents, as_json=as_json)

    async def one(client: BigdataClient, handle: SyncHandle) -> Result:
        cid, began = str(handle.connector_id), time.monotonic()
        try:
            return await follow.wait(client, cid, handle, began)
        except (BigdataError, ValueError) as err:
            return follow.failed(cid, err, began)

    async def work(client: BigdataClient) -> list[Result]:
        handles = [client.connectors.resume_sync(token) for token in tokens]  # a bad token fails before any request
        for handle in handles:
            follow.board.add(str(handle.connector_id))
        return list(await asyncio.gather(*(one(client, h) for h in handles)))

    follow.run(ctx, work, as_json)
