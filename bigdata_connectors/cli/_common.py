"""What every command shares and can import cheaply: the global settings, the global options, common options.

The global options (``--base-url``, ``--ssl``, ``--debug``) are defined once, here, and given to the group and to every
command, so they work anywhere on the line: ``bigdata-connectors --debug get ID`` and
``bigdata-connectors get ID --debug`` are the same. The group's ``--base-url`` also reads BIGDATA_BASE_URL;
a command's, given explicitly, wins over both.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

__all__ = [
    "PROG",
    "Settings",
    "connector_id_argument",
    "global_options",
    "json_option",
    "settings",
]

PROG = "bigdata-connectors"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(slots=True)
class Settings:
    """The global options of one invocation, shared by the group and the command through click's context."""

    base_url: str | None = None
    debug: bool = False
    ssl: str | None = None


def settings(ctx: click.Context) -> Settings:
    """The invocation's Settings (created on first use, on the root context)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    found: Settings = root.obj
    return found


def _set_base_url(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        settings(ctx).base_url = value


def _set_ssl(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        settings(ctx).ssl = value


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or settings(ctx).debug:
        return
    settings(ctx).debug = True
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("bigdata_connectors")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)

    ctx.find_root().call_on_close(restore)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from bigdata_connectors._version import __version__
        from bigdata_connectors.cli._stdout import echo

        echo(f"{PROG} {__version__}")
        ctx.exit()


def global_options(*, group: bool = False, hidden: bool = False) -> list[click.Option]:
    """Fresh ``--base-url``, ``--ssl`` and ``--debug`` options (one set per command: click keeps per-command state); a
    command also takes the group's ``--version`` (hidden: it is the group's)."""
    version = click.Option(
        ["-V", "--version"], is_flag=True, expose_value=False, is_eager=True, hidden=True, callback=_show_version
    )
    return ([] if group else [version]) + [
        click.Option(
            ["--base-url"],
            metavar="URL",
            envvar="BIGDATA_BASE_URL" if group else None,
            expose_value=False,
            callback=_set_base_url,
            hidden=hidden,
            help="The API's address [env: BIGDATA_BASE_URL; default: https://api.bigdata.com]."
            if group
            else "The API's address (global option: also before the command).",
        ),
        click.Option(
            ["--ssl"],
            metavar="TRUST",
            expose_value=False,
            callback=_set_ssl,
            hidden=hidden,
            help="Certificates to trust: 'system' (the operating system's trust store; needs the [truststore] extra) "
            "or a CA bundle's path" + (" [env: BIGDATA_SSL]." if group else " (global option)."),
        ),
        click.Option(
            ["--debug"],
            is_flag=True,
            expose_value=False,
            callback=_set_debug,
            hidden=hidden,
            help="Show tracebacks and the SDK's debug log on stderr"
            + (" (anywhere on the line)." if group else " (global option)."),
        ),
    ]


def json_option(func: F) -> F:
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print JSON and nothing else on stdout (one document; one per line for lists).",
    )(func)


def connector_id_argument(func: F) -> F:
    return click.argument("connector_id", metavar="ID")(func)
