"""The ``bigdata-connectors`` command group: global options, error reporting, exit codes.

Imports only click here. Each command loads the SDK, rich and the models when it runs, so that
``bigdata-connectors --help`` starts quickly.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from bigdata_connectors._version import __version__
from bigdata_connectors.cli._code_cmds import apply_cmd, plan_cmd
from bigdata_connectors.cli._common import PROG, Settings
from bigdata_connectors.cli._connector_cmds import archive_cmd, create_cmd, delete_cmd, get_cmd, list_cmd, update_cmd
from bigdata_connectors.cli._emulator_cmd import emulator_cmd
from bigdata_connectors.cli._exit import EXIT_CODES_HELP, ExitCode, describe
from bigdata_connectors.cli._sync_cmds import documents_cmd, sync_cmd

__all__ = ["cli", "main"]


class _Group(click.Group):
    """Reports every failure as one line on stderr with its exit code (tracebacks only with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as err:
            settings = ctx.find_object(Settings)
            if settings is not None and settings.debug:
                traceback.print_exception(err, file=sys.stderr)
            code, message = describe(err)
            click.echo(f"{PROG}: error: {message}", err=True)
            ctx.exit(code)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(
                args,
                prog_name or PROG,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
            code = result if isinstance(result, int) else ExitCode.OK
        except click.exceptions.NoArgsIsHelpError as err:
            err.show()  # the group's help, as click shows it
            code = err.exit_code
        except click.exceptions.ClickException as err:
            hint = ""
            if isinstance(err, click.UsageError) and err.ctx is not None:
                hint = f" (see '{err.ctx.command_path} --help')"
            click.echo(f"{PROG}: error: {' '.join(err.format_message().split())}{hint}", err=True)
            code = err.exit_code
        except click.exceptions.Abort as err:  # Ctrl-C, or end of input at a prompt
            note = f" ({err.args[0]})" if err.args else ""
            click.echo(f"{PROG}: interrupted{note}", err=True)
            code = ExitCode.INTERRUPTED
        if standalone_mode:
            sys.exit(int(code))
        return int(code)


@click.group(
    PROG,
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=f"""\b
Examples:
  export BIGDATA_API_KEY=...     # or try it locally: `{PROG} emulator` prints what to export
  {PROG} list
  {PROG} sync $ID --date-limit 2026-01-01 --wait
  {PROG} documents $ID --status failed

\b
Environment:
  BIGDATA_API_KEY   the API key (never given as an option: it would land in shell history and ps)
  BIGDATA_BASE_URL  the API's address (default https://api.bigdata.com)
  NO_COLOR          no colours, even on a terminal

{EXIT_CODES_HELP}
""",
)
@click.version_option(__version__, "-V", "--version", prog_name=PROG, message="%(prog)s %(version)s")
@click.option(
    "--base-url",
    metavar="URL",
    envvar="BIGDATA_BASE_URL",
    help="The API's address [env: BIGDATA_BASE_URL; default: https://api.bigdata.com].",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and the SDK's debug log on stderr.")
@click.pass_context
def cli(ctx: click.Context, base_url: str | None, debug: bool) -> None:
    """Manage Bigdata.com connectors: list, create, sync and watch them, and their documents.

    Tables on a terminal; --json on every command for scripts (one JSON document, or one per line
    for lists, and nothing else on stdout). Errors are one line on stderr with the request id, and
    each kind has its own exit code (below).
    """
    ctx.obj = Settings(base_url=base_url or None, debug=debug)
    if debug:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger = logging.getLogger("bigdata_connectors")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        ctx.call_on_close(lambda: logger.removeHandler(handler))


for _command in (
    list_cmd,
    get_cmd,
    create_cmd,
    update_cmd,
    archive_cmd,
    delete_cmd,
    sync_cmd,
    documents_cmd,
    plan_cmd,
    apply_cmd,
    emulator_cmd,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """The console script: run the command line and exit with its code."""
    cli.main(argv, prog_name=PROG)
