"""What every command shares and can import cheaply: the global settings and common options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

__all__ = ["PROG", "Settings", "connector_id_argument", "json_option", "settings"]

PROG = "bigdata-connectors"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Settings:
    """The global options, handed to every command through click's context."""

    base_url: str | None
    debug: bool


def settings(ctx: click.Context) -> Settings:
    found = ctx.find_object(Settings)
    return found if found is not None else Settings(base_url=None, debug=False)


def json_option(func: F) -> F:
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print JSON and nothing else on stdout (one document; one per line for lists).",
    )(func)


def connector_id_argument(func: F) -> F:
    return click.argument("connector_id", metavar="ID")(func)
