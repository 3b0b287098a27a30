"""``plan -f FILE`` and ``apply -f FILE``: connectors as code, on ``client.connectors.plan`` / ``apply``.

Only click at import time; the SDK and the output helpers are imported when a command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from bigdata_connectors.cli._common import PROG, json_option

__all__ = ["apply_cmd", "plan_cmd"]

_FILE_HELP = """\b
A connectors file (YAML) declares connectors by label; secrets are named, never written:
  connectors:
    - label: Broker research
      type: investment_research
      config: {user_id: me@broker.com, password_env: BROKER_PASSWORD}
    - label: Research inbox
      type: email
      config: {allowed_emails: [desk@fund.com]}"""


def _file_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "-f",
        "--file",
        "path",
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="The connectors file (YAML).",
    )(func)


def _prune_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option("--prune", is_flag=True, help="Also archive live connectors the file does not declare.")(func)


def _replace_option(func: click.decorators.FC) -> click.decorators.FC:
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

{_FILE_HELP}""",
)
@_file_option
@_prune_option
@_replace_option
@click.option("--unchanged", is_flag=True, help="Also list the connectors already as declared.")
@json_option
@click.pass_context
def plan_cmd(
    ctx: click.Context, path: Path, prune: bool, replace: tuple[str, ...], unchanged: bool, as_json: bool
) -> None:
    """Show what `apply` would change to bring the account to a connectors file; change nothing.

    Reads and checks the file first (every problem with its line; nothing is sent when it is
    invalid), then sends GET /contents/v1/connectors. Secrets never appear, only the variables they
    come from.
    """
    from bigdata_connectors.cli._code_run import make_plan, show_plan

    plan = make_plan(ctx, path, prune, replace)
    show_plan(plan, as_json, unchanged)


@click.command(
    "apply",
    epilog=f"""\b
Examples:
  {PROG} apply -f connectors.yaml              # shows the plan, asks on a terminal
  {PROG} apply -f connectors.yaml --prune --yes   # in CI

{_FILE_HELP}""",
)
@_file_option
@_prune_option
@_replace_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (needed when not on a terminal).")
@json_option
@click.pass_context
def apply_cmd(ctx: click.Context, path: Path, prune: bool, replace: tuple[str, ...], yes: bool, as_json: bool) -> None:
    """Bring the account to a connectors file: create, update, replace and (--prune) archive.

    Plans first and shows the plan (as `plan` does); with changes, asks for confirmation on a terminal
    (--yes skips it, and is needed in scripts). Then applies: creates, updates, replacements, and
    archives last (skipped if anything before failed), printing each outcome as it ends. Applying
    twice changes nothing the second time. Exit code: 0 when every action succeeded, else that of the
    first failure.
    """
    from bigdata_connectors.cli._code_run import apply

    apply(ctx, path, prune, replace, yes, as_json)
