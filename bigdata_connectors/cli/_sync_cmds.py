"""``sync``: trigger syncs, or wait for them with a live line per connector and a summary table.

Only click at import time; the work is in ``_sync_run`` (SDK, rich), imported when the command runs.
"""

from __future__ import annotations

from datetime import datetime

import click

from bigdata_connectors.cli._common import PROG, json_option

__all__ = ["documents_cmd", "sync_cmd"]

_ID = "019a9612-bfad-758c-884e-37dd8c6ad2cb"


@click.command(
    "sync",
    epilog=f"""\b
Examples:
  {PROG} sync {_ID} --date-limit 2026-01-01   # start, print a token
  {PROG} sync $ID --date-limit 2026-01-01 --wait --timeout 900
  {PROG} sync ID1 ID2 ID3 --date-limit 2026-01-01 --wait --json
  TOKEN=$({PROG} sync $ID --date-limit 2026-01-01 --json | jq -r .token)
  {PROG} sync --resume "$TOKEN"              # later, anywhere: wait for that sync
  {PROG} sync $ID --date-limit 2026-01-01 --wait --documents   # until its documents are processed""",
)
@click.argument("connector_ids", metavar="[ID]...", nargs=-1)
@click.option(
    "--date-limit",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Sync content from this date on (investment_research needs it; sharepoint connectors ignore it).",
)
@click.option("--wait", is_flag=True, help="Wait until each sync has finished, then print a summary.")
@click.option(
    "--resume",
    "tokens",
    multiple=True,
    metavar="TOKEN",
    help="Wait for a sync started elsewhere, from its token (printed by `sync` without --wait; repeatable).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="The whole wait per connector, in seconds [default: 1800]. Without --wait: the deadline the token carries.",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="With --wait: seconds before the second poll; it grows x1.5 up to 30.",
)
@click.option(
    "--documents",
    "with_documents",
    is_flag=True,
    help="With --wait or --resume: also wait until the documents each sync brought in are processed.",
)
@click.option("--concurrency", type=click.IntRange(min=1), default=10, show_default=True,
              help="With several ids: how many syncs run at once.")  # fmt: skip
@json_option
@click.pass_context
def sync_cmd(
    ctx: click.Context,
    connector_ids: tuple[str, ...],
    date_limit: datetime | None,
    wait: bool,
    tokens: tuple[str, ...],
    timeout: float | None,
    poll_interval: float,
    concurrency: int,
    with_documents: bool,
    as_json: bool,
) -> None:
    """Sync connectors: start the syncs, or with --wait follow them to the end.

    Without --wait: GET each connector, POST /contents/v1/connectors/ID/sync, and print a token per
    sync that `sync --resume TOKEN` (any machine, any time) waits on. With --wait: one live line per
    connector on a terminal (status, elapsed, polls; "API unreachable" while the SDK retries), then a
    summary table; several ids run together (at most --concurrency at once) and one failure does not
    stop the others. A wait that ends before its sync does (timeout, the API unreachable, Ctrl-C)
    prints the command that waits for it again: the sync goes on on the server.
    The exit code is 0 when every sync succeeded, else that of the first one (in the order given)
    that did not: 10 failed (with --documents: also when documents failed to process), 11 timed
    out, 8 the API unreachable, or the API error's.
    """
    from bigdata_connectors.cli import _sync_run

    limit = date_limit.date() if date_limit is not None else None
    if tokens:
        if connector_ids or date_limit is not None:
            raise click.UsageError("--resume waits for syncs already started: give no ID and no --date-limit")
        _sync_run.resume(ctx, list(tokens), timeout, poll_interval, with_documents, as_json)
        return
    if not connector_ids:
        raise click.UsageError("give at least one connector ID (or --resume TOKEN)")
    if not wait:
        if with_documents:
            raise click.UsageError("--documents applies to --wait or --resume")
        _sync_run.start(ctx, list(connector_ids), limit, timeout, as_json)
        return
    _sync_run.wait(ctx, list(connector_ids), limit, timeout, poll_interval, concurrency, with_documents, as_json)


@click.command(
    "documents",
    epilog=f"""\b
Examples:
  {PROG} documents {_ID}
  {PROG} documents {_ID} --status failed --status pending
  {PROG} documents {_ID} --from-date 2026-11-01 --json | jq -r .file_name""",
)
@click.argument("connector_id", metavar="ID")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["pending", "processing", "completed", "failed"]),
    help="Only documents in this status (repeatable).",
)
@click.option(
    "--from-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Only documents created on or after this date.",
)
@json_option
@click.pass_context
def documents_cmd(
    ctx: click.Context, connector_id: str, statuses: tuple[str, ...], from_date: datetime | None, as_json: bool
) -> None:
    """List a connector's documents: file name, status, size, type, when created (newest first).

    Sends GET /contents/v1/documents?connector=ID&page=N&page_size=100 until a short page (the API
    gives no total; a server that answers the same full page again ends it with exit 8). The list is
    eventually consistent: a document just brought in may show up a few seconds late. With --json, one
    document per line.
    """
    from bigdata_connectors.cli._documents_run import documents

    documents(ctx, connector_id, list(statuses), from_date.date() if from_date else None, as_json)
