"""What commands print on stdout: tables that fit the terminal (plain when piped), JSON for scripts.
A reader that goes away early (``| head -1``) silences stdout; the command carries on (``_stdout``).

No rich here (see ``_table``). Every string that came from the server goes through ``safe`` before it is
printed, and every command shows values the same way (``_text``: yes/no, UTC dates, counts with separators).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bigdata_connectors.cli._stdout import echo
from bigdata_connectors.cli._table import REQUIRED, Cell, Column, Table, render_fields
from bigdata_connectors.cli._text import count, safe, safe_json, size, when, wrap, yes_no

if TYPE_CHECKING:
    from bigdata_connectors import Connector, Document

__all__ = [
    "Output",
    "color_allowed",
    "connector_fields",
    "connector_json",
    "connectors_table",
    "documents_table",
    "status_cell",
    "status_style",
]

_FAILURE_MARKERS = ("FAIL", "ERROR", "CANCEL", "ABORT", "REJECT", "DENIED", "INVALID")


def color_allowed() -> bool:
    """Colour unless NO_COLOR is set (https://no-color.org) or the terminal is dumb."""
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


class Output:
    """stdout for one command: ``json``/``json_lines`` in --json mode, ``table``/``fields``/``say`` otherwise.

    In --json mode nothing but JSON reaches stdout: ``say`` goes to stderr instead.
    """

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.terminal = sys.stdout.isatty()
        self.color = self.terminal and color_allowed()

    @property
    def width(self) -> int | None:
        """The terminal's width in columns; None when stdout is not a terminal (tables are drawn whole)."""
        return shutil.get_terminal_size().columns if self.terminal else None

    def json(self, data: Any) -> None:
        echo(safe_json(data))

    def json_lines(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.json(row)

    def table(self, table: Table) -> None:
        echo("\n".join(table.render(self.width, color=self.color)))

    def fields(self, pairs: list[tuple[str, Cell]]) -> None:
        echo("\n".join(render_fields(pairs, self.width, color=self.color)))

    def say(self, text: str, *, fold: bool = True) -> None:
        """A line of our own (its server parts already ``safe``): stdout, or stderr in --json mode. On a terminal
        it folds at spaces to the width, unless ``fold`` is False (a command to copy: one line, however long)."""
        width = self.width
        if fold and width is not None and not self.as_json:
            text = "\n".join(wrap(text, width))
        echo(text, err=self.as_json)


def status_style(status: str | None) -> str:
    upper = (status or "").upper()
    if upper in ("SUCCESS", "COMPLETED"):
        return "green"
    if any(marker in upper for marker in _FAILURE_MARKERS):
        return "red"
    return "yellow"


def status_cell(status: str | None) -> Cell:
    return Cell(safe(status or ""), status_style(status) if status else None)


def connector_json(connector: Connector) -> dict[str, Any]:
    data: dict[str, Any] = connector.model_dump(mode="json", by_alias=True)
    return data


def _short_type(value: str) -> str:
    return "research" if value == "investment_research" else value


def connectors_table(connectors: Iterable[Connector]) -> Table:
    table = Table(
        [
            Column("ID", REQUIRED),
            Column("LABEL", REQUIRED, flexible=True),
            Column("TYPE", 40, abbreviate=_short_type),
            Column("ARCHIVED", 20),
            Column("LAST SYNC", REQUIRED),
            Column("SYNCED AT", REQUIRED),
            Column("ITEMS", 30, right=True),
            Column("FILES", 35, right=True),
        ]
    )
    for c in connectors:
        table.add(
            str(c.connector_id),
            safe(c.label),
            safe(c.type),
            yes_no(c.archived),
            status_cell(c.last_sync_status),
            when(c.last_sync_at),
            count(c.last_sync_count),
            count(c.files_count),
        )
    return table


# Config keys as people read them; unknown ones are shown as "Config <key>".
_CONFIG_KEYS = {
    "email": "Inbox address",
    "allowed_emails": "Allowed senders",
    "email_hash": "Inbox hash",
    "user_id": "Portal user",
}


def _human_key(key: str) -> str:
    return safe(key.replace("_", " ")).capitalize()


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int):
        return count(value)
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{safe(k)}: {_value(v)}" for k, v in value.items())
    return "" if value is None else safe(value)


def connector_fields(connector: Connector) -> list[tuple[str, Cell]]:
    """One connector as (key, value) pairs, in the order people look for them; every field is shown once."""
    c = connector
    config: Any = c.config
    if config is not None and not isinstance(config, Mapping):
        config = config.model_dump(mode="python")
    config_pairs = [
        (_CONFIG_KEYS.get(key, f"Config {_human_key(key).lower()}"), Cell(_value(value)))
        for key, value in (config or {}).items()
    ]
    pairs: list[tuple[str, Cell]] = [
        ("ID", Cell(str(c.connector_id))),
        ("Label", Cell(safe(c.label))),
        ("Type", Cell(safe(c.type))),
        ("Description", Cell(_value(c.description))),
        ("Shared with org", Cell(yes_no(c.share_with_org))),
        ("Archived", Cell(yes_no(c.archived))),
        *config_pairs,
        ("Last sync", status_cell(c.last_sync_status)),
        ("Last synced at", Cell(when(c.last_sync_at))),
        ("Last sync error", Cell(_value(c.last_sync_error_msg), "red")),
        ("Items (last sync)", Cell(count(c.last_sync_count))),
        ("Files", Cell(count(c.files_count))),
        ("Created", Cell(when(c.created_at))),
        ("Updated", Cell(when(c.updated_at))),
        ("Owner", Cell(safe(c.user_id))),
        ("Organisation", Cell(safe(c.org_id))),
    ]
    shown = {"connector_id", "label", "type", "description", "share_with_org", "archived", "config", "user_id",
             "org_id", "last_sync_status", "last_sync_at", "last_sync_error_msg", "last_sync_count", "files_count",
             "created_at", "updated_at"}  # fmt: skip
    for key, value in connector_json(c).items():  # fields the API added since (the models keep them)
        if key not in shown:
            pairs.append((_human_key(key), Cell(_value(getattr(c, key, value)))))
    return pairs


def documents_table(documents: Iterable[Document]) -> Table:
    table = Table(
        [
            Column("ID", REQUIRED),
            Column("FILE NAME", REQUIRED, flexible=True, min_width=16),
            Column("STATUS", REQUIRED),
            Column("SIZE", 40, right=True),
            Column("TYPE", 30),
            Column("CREATED AT", REQUIRED),
        ]
    )
    for d in documents:
        table.add(
            safe(d.id),
            safe(d.file_name or ""),
            status_cell(str(d.status)),
            size(d.raw_size),
            safe(d.content_type or ""),
            when(d.created_at),
        )
    return table
