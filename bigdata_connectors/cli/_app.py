"""The ``bigdata-connectors`` command group: global options, error reporting, exit codes, closed pipes.

Imports only click here. Each command loads the SDK and its output helpers when it runs, so that
``bigdata-connectors --help`` starts quickly.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from bigdata_connectors._version import __version__
from bigdata_connectors.cli._code_cmds import apply_cmd, plan_cmd
from bigdata_connectors.cli._common import PROG, global_options, settings
from bigdata_connectors.cli._completion import completion_cmd
from bigdata_connectors.cli._connector_cmds import archive_cmd, create_cmd, delete_cmd, get_cmd, list_cmd, update_cmd
from bigdata_connectors.cli._emulator_cmd import emulator_cmd
from bigdata_connectors.cli._exit import EXIT_CODES_HELP, ExitCode, PlanExitCode, describe, detailed_exitcode_asked
from bigdata_connectors.cli._export_cmd import export_cmd
from bigdata_connectors.cli._stdout import closed_pipe, silence_stdout
from bigdata_connectors.cli._sync_cmds import documents_cmd, sync_cmd
from bigdata_connectors.cli._text import one_line

__all__ = ["cli", "main"]


class _Group(click.Group):
    """Reports every failure as one line on stderr with its exit code (tracebacks only with --debug)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except OSError as err:  # --help or --version into a closed pipe: click would exit 1
            if not closed_pipe(err):
                raise
            silence_stdout()
            raise click.exceptions.Exit(ExitCode.OK) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as err:
            if closed_pipe(err):  # a command's --help into a closed pipe (commands write through _stdout.echo)
                silence_stdout()
                ctx.exit(ExitCode.OK)
            if settings(ctx).debug:
                traceback.print_exception(err, file=sys.stderr)
            from bigdata_connectors.cli._runtime import last_run  # the error path only: it loads the SDK

            code, message = describe(err, last_run())
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
        words = list(args) if args is not None else sys.argv[1:]
        result: Any = None
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
            click.echo(f"{PROG}: error: {one_line(err.format_message())}{hint}", err=True)
            code = err.exit_code
        except click.exceptions.Abort as err:  # Ctrl-C, or end of input at a prompt
            note = f" ({err.args[0]})" if err.args else ""
            click.echo(f"{PROG}: interrupted{note}", err=True)
            code = ExitCode.INTERRUPTED
        except OSError as err:
            if not closed_pipe(err):
                raise
            silence_stdout()  # `| head -1`: the reader has what it wanted; that is a success
            code = ExitCode.OK
        try:
            sys.stdout.flush()  # a reader that left early is seen here, not in the interpreter's last flush
        except OSError as err:
            if not closed_pipe(err):
                raise
            silence_stdout()
        if detailed_exitcode_asked(words) and not isinstance(result, PlanExitCode):
            code = ExitCode.OK if code == ExitCode.OK else ExitCode.ERROR  # terraform's: 1 for any error
        if standalone_mode:
            sys.exit(int(code))
        return int(code)


@click.group(
    PROG,
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=f"""\b
Examples:
  eval "$({PROG} emulator --env)"   # try it locally: an emulator in the background
  export BIGDATA_API_KEY=...          # or the real API
  {PROG} list
  {PROG} sync $ID --date-limit 2026-01-01 --wait
  {PROG} documents $ID --status failed

\b
Global options (--base-url, --ssl, --debug) may also follow the command:
  {PROG} get $ID --debug

\b
Environment:
  BIGDATA_API_KEY   the API key (never given as an option: it would land in shell history and ps)
  BIGDATA_BASE_URL  the API's address (default https://api.bigdata.com)
  BIGDATA_SSL       'system' to trust the operating system's certificates
  NO_COLOR          no colours, even on a terminal

{EXIT_CODES_HELP}
""",
)
@click.version_option(__version__, "-V", "--version", prog_name=PROG, message="%(prog)s %(version)s")
def cli() -> None:
    """Manage Bigdata.com connectors: list, create, sync and watch them, and their documents.

    Tables on a terminal, fitted to its width; --json on every command for scripts (one JSON
    document, or one per line for lists, and nothing else on stdout). Errors are one line on stderr
    with the request id, and each kind has its own exit code (below).
    """


cli.params.extend(global_options(group=True))

for _command in (
    list_cmd,
    get_cmd,
    create_cmd,
    update_cmd,
    archive_cmd,
    delete_cmd,
    sync_cmd,
    documents_cmd,
    export_cmd,
    plan_cmd,
    apply_cmd,
    emulator_cmd,
    completion_cmd,
):
    # Every command takes the global options; those that talk to no API do not list them in their help.
    _command.params.extend(global_options(hidden=_command in (emulator_cmd, completion_cmd)))
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """The console script: run the command line and exit with its code."""
    cli.main(argv, prog_name=PROG)
