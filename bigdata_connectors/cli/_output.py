"""What commands print: rich tables on a terminal (plain text when piped), JSON for scripts.

Loaded only when a command runs. User-supplied text (labels, file names) is always passed to rich as
``Text``, never as markup, so a label like ``[bold]`` prints as written.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from bigdata_connectors import Connector

__all__ = [
    "Output",
    "connector_detail",
    "connector_json",
    "connectors_table",
    "console_for",
    "new_table",
    "status_text",
    "when",
]

_FAILURE_MARKERS = ("FAIL", "ERROR", "CANCEL", "ABORT", "REJECT", "DENIED", "INVALID")
_WIDE = 10_000  # columns when not on a terminal: never truncate an id in a pipe


def console_for(stream: IO[str]) -> Console:
    """A rich console on ``stream``: colours and live display only on a terminal (and never with NO_COLOR,
    which rich honours); when piped, plain text as wide as the content, so nothing is cut."""
    terminal = stream.isatty()
    return Console(
        file=stream,
        width=None if terminal else _WIDE,
        force_terminal=terminal,
        highlight=False,
        emoji=False,
        soft_wrap=not terminal,
    )


class Output:
    """stdout for a command: ``json`` for the data in --json mode, ``table``/``say`` otherwise.

    In --json mode nothing but JSON reaches stdout: ``say`` goes to stderr instead.
    """

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.console = console_for(sys.stdout)
        self.terminal = sys.stdout.isatty()

    def json(self, data: Any) -> None:
        click.echo(json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def json_lines(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.json(row)

    def table(self, table: Table) -> None:
        if self.terminal:
            self.console.print(table)
            return
        with self.console.capture() as captured:  # piped: no padding at line ends
            self.console.print(table)
        click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))

    def say(self, text: str | Text) -> None:
        if self.as_json:
            click.echo(text.plain if isinstance(text, Text) else text, err=True)
        else:
            self.console.print(text)


def when(moment: datetime | None) -> str:
    """A timestamp as UTC, to the second: ``2026-02-11 11:01:09Z``."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def status_text(status: str | None) -> Text:
    value = status or ""
    upper = value.upper()
    if upper == "SUCCESS" or upper == "COMPLETED":
        style = "green"
    elif any(marker in upper for marker in _FAILURE_MARKERS):
        style = "red"
    else:
        style = "yellow"
    return Text(value, style=style)


def new_table(*headers: str, right: Iterable[str] = ()) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    right_set = set(right)
    for header in headers:
        # An id is never cut; other cells fold onto a second line on a narrow terminal rather than lose text.
        table.add_column(
            header,
            justify="right" if header in right_set else "left",
            no_wrap=header == "ID",
            overflow="ellipsis" if header == "ID" else "fold",
        )
    return table


def connector_json(connector: Connector) -> dict[str, Any]:
    data: dict[str, Any] = connector.model_dump(mode="json", by_alias=True)
    return data


def connectors_table(connectors: Iterable[Connector]) -> Table:
    table = new_table("ID", "LABEL", "TYPE", "ARCHIVED", "LAST SYNC", "SYNCED AT", "ITEMS", "FILES",
                      right=("ITEMS", "FILES"))  # fmt: skip
    for c in connectors:
        table.add_row(
            str(c.connector_id),
            Text(c.label),
            Text(str(c.type)),
            "yes" if c.archived else "no",
            status_text(c.last_sync_status),
            when(c.last_sync_at),
            "" if c.last_sync_count is None else str(c.last_sync_count),
            "" if c.files_count is None else str(c.files_count),
        )
    return table


def _flatten(prefix: str, value: Any, rows: list[tuple[str, str]]) -> None:
    if isinstance(value, Mapping) and value:
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}", inner, rows)
    elif isinstance(value, list):
        rows.append((prefix, ", ".join(str(v) for v in value)))
    else:
        rows.append((prefix, "" if value is None or value == {} else str(value)))


def connector_detail(connector: Connector) -> Table:
    """One connector as a two-column table, config flattened (``config.email``, ...)."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    rows: list[tuple[str, str]] = []
    for key, value in connector_json(connector).items():
        moment = getattr(connector, key, None)
        if isinstance(moment, datetime):
            rows.append((key, when(moment)))
        else:
            _flatten(key, value, rows)
    for key, value in rows:
        table.add_row(key, status_text(value) if key == "last_sync_status" else Text(value))
    return table
