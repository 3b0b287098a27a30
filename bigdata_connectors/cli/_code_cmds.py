"""``plan -f FILE [--out PLANFILE] [--detailed-exitcode]`` and ``apply -f FILE`` / ``apply PLANFILE``: connectors as
code, on ``client.connectors.plan`` / ``apply`` and ``Plan.save`` / ``Plan.load``.

Only click at import time; the SDK and the output helpers are imported when a command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from click.decorators import FC

from bigdata_connectors.cli._common import PROG, json_option

__all__ = ["apply_cmd", "plan_cmd"]

_FILE_HELP = f"""\b
A connectors file (YAML) declares connectors by label; secrets are named, never written:
  connectors:
    - label: Broker research
      type: investment_research
      config: {{user_id: me@broker.com, password_env: BROKER_PASSWORD}}
    - label: Research inbox
      type: email
      config: {{allowed_emails: [desk@fund.com]}}
`{PROG} export -o connectors.yaml` writes one for the connectors the account has."""

_ROTATE_HELP = f"""\b
Passwords and SharePoint session ids are never returned by the API, so no plan can
see them change: `plan` notes each one it cannot see. To rotate one, put the new
value in its variable and replace the connector (it gets a new id):
  {PROG} apply -f connectors.yaml --replace 'Broker research'"""


def _file_option(*, required: bool) -> Callable[[FC], FC]:
    return click.option(
        "-f",
        "--file",
        "path",
        required=required,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="The connectors file (YAML).",
    )


def _prune_option(func: FC) -> FC:
    return click.option("--prune", is_flag=True, help="Also archive live connectors the file does not declare.")(func)


def _replace_option(func: FC) -> FC:
    return click.option(
        "--replace",
        "replace",
        multiple=True,
        metavar="LABEL",
        help="Replace this connector even if nothing visible differs, e.g. after rotating its password (repeatable).",
    )(func)


@click.command(
    "plan",
    epilog=f"""\b
Examples:
  {PROG} plan -f connectors.yaml
  {PROG} plan -f connectors.yaml --prune --json | jq '.summary'
  {PROG} plan -f connectors.yaml --out plan.json   # review it, then: {PROG} apply plan.json
  {PROG} plan -f connectors.yaml --detailed-exitcode || [ $? -eq 2 ]   # CI: 2 means changes

\b
--detailed-exitcode (terraform's convention) changes the exit codes of this
command only: 0 no changes, 2 changes, 1 any error (not the codes of --help).

{_FILE_HELP}

{_ROTATE_HELP}""",
)
@_file_option(required=True)
@_prune_option
@_replace_option
@click.option("--unchanged", is_flag=True, help="Also list the connectors already as declared.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PLANFILE",
    help="Also save the plan there (mode 0600, no secrets), for `apply PLANFILE` to apply exactly.",
)
@click.option(
    "--detailed-exitcode",
    "detailed",
    is_flag=True,
    help="Exit 0 when there are no changes, 2 when there are, 1 on any error.",
)
@json_option
@click.pass_context
def plan_cmd(
    ctx: click.Context,
    path: Path,
    prune: bool,
    replace: tuple[str, ...],
    unchanged: bool,
    out: Path | None,
    detailed: bool,
    as_json: bool,
) -> int:
    """Show what `apply` would change to bring the account to a connectors file; change nothing.

    Reads and checks the file first (every problem with its line; nothing is sent when it is
    invalid), then sends GET /contents/v1/connectors. Secrets never appear, only the variables they
    come from; each secret the API never returns is noted as one the plan cannot see. With --out,
    the plan is also saved: `apply PLANFILE` then applies exactly it, and refuses (exit 9) if a
    connector it covers changed in the meantime.
    """
    from bigdata_connectors.cli._code_run import make_plan, save_plan, show_plan
    from bigdata_connectors.cli._exit import PlanExitCode

    plan = make_plan(ctx, path, prune, replace)
    show_plan(plan, as_json, unchanged)
    if out is not None:
        save_plan(plan, out)
    return PlanExitCode(2 if detailed and plan.has_changes else 0)


@click.command(
    "apply",
    epilog=f"""\b
Examples:
  {PROG} apply -f connectors.yaml              # shows the plan, asks on a terminal
  {PROG} apply -f connectors.yaml --prune --yes   # in CI
  {PROG} apply plan.json                       # a saved plan: exactly it, or nothing

\b
A saved plan (`plan --out PLANFILE`) was reviewed already, so it is applied without a
question; its --prune and --replace are its own. The account is read first: if any
connector the plan covers changed since it was made (edited in the web app, archived,
or a connector added under one of its labels), nothing is applied (exit 9). Its
secrets come from the environment now, by the variable names it holds.

{_FILE_HELP}

{_ROTATE_HELP}""",
)
@click.argument(
    "plan_file", metavar="[PLANFILE]", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_file_option(required=False)
@_prune_option
@_replace_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (needed when not on a terminal).")
@json_option
@click.pass_context
def apply_cmd(
    ctx: click.Context,
    plan_file: Path | None,
    path: Path | None,
    prune: bool,
    replace: tuple[str, ...],
    yes: bool,
    as_json: bool,
) -> None:
    """Bring the account to a connectors file (-f FILE), or apply a saved plan (PLANFILE).

    With -f: plans first and shows the plan (as `plan` does); with changes, asks for confirmation
    on a terminal (--yes skips it, and is needed in scripts). Then applies: creates, updates,
    replacements, and archives last (skipped if anything before failed), printing each outcome as
    it ends. Applying twice changes nothing the second time. With PLANFILE: applies exactly that
    saved plan, or refuses before any change if the account moved. Exit code: 0 when every action
    succeeded, else that of the first failure.
    """
    from bigdata_connectors.cli._code_run import apply, apply_saved

    if plan_file is None and path is None:
        raise click.UsageError("give a connectors file (-f FILE) or a saved plan (PLANFILE)")
    if plan_file is not None and path is not None:
        raise click.UsageError("give a connectors file (-f FILE) or a saved plan (PLANFILE), not both")
    if plan_file is not None:
        if prune or replace:
            raise click.UsageError("a saved plan keeps the --prune and --replace it was made with")
        apply_saved(ctx, plan_file, as_json)
    else:
        assert path is not None
        apply(ctx, path, prune, replace, yes, as_json)
