"""The work behind ``plan`` and ``apply``. Loaded when the command runs.

The plan is the SDK's own ``render()``, drawn without colour, made ``safe`` line by line (labels and values may
come from the server), then coloured here. ``apply -f`` plans in one event loop, asks between loops (where one
Ctrl-C aborts), and applies in another. ``apply PLANFILE`` asks nothing (the saved plan is what was approved);
the SDK reads the account and refuses a stale plan (exit 9) before any change.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from bigdata_connectors import ActionOutcome, Plan
from bigdata_connectors.cli import _runtime
from bigdata_connectors.cli._common import PROG
from bigdata_connectors.cli._exit import ExitCode, NotConfirmed, describe
from bigdata_connectors.cli._output import Output, color_allowed
from bigdata_connectors.cli._stdout import echo
from bigdata_connectors.cli._table import paint
from bigdata_connectors.cli._text import safe

__all__ = ["apply", "apply_saved", "make_plan", "render", "save_plan", "show_plan"]

_HEAD = re.compile(r"^(\+|~|-/\+|-|=) (create|update|replace|archive|nothing) ")
_STYLE = {"create": "green", "update": "yellow", "replace": "cyan", "archive": "red", "nothing": "dim"}


def render(plan: Plan, *, color: bool, unchanged: bool = False) -> str:
    """The plan as a diff, every line ``safe``, the action lines coloured when ``color``."""
    lines = []
    for raw in plan.render(color=False, unchanged=unchanged).split("\n"):
        line = safe(raw)
        head = _HEAD.match(line)
        lines.append(paint(line, _STYLE[head.group(2)], color) if head else line)
    return "\n".join(lines)


def _color() -> bool:
    return sys.stdout.isatty() and color_allowed()


def make_plan(ctx: click.Context, path: Path, prune: bool, replace: tuple[str, ...]) -> Plan:
    return _runtime.run(ctx, lambda client: client.connectors.plan(path, prune=prune, replace=replace), flags=False)


def show_plan(plan: Plan, as_json: bool, unchanged: bool = False) -> None:
    if as_json:
        Output(True).json(plan.to_dict())
    else:
        echo(render(plan, color=_color(), unchanged=unchanged))


def save_plan(plan: Plan, out: Path) -> None:
    """``plan --out``: the plan file, and on stderr how to apply it."""
    try:
        plan.save(out)
    except OSError as err:
        raise click.ClickException(f"cannot write the plan to {safe(str(out))}: {err.strerror or 'failed'}") from None
    click.echo(
        f"Saved the plan to {safe(str(out))} (no secrets in it). To apply exactly it, unless the account changes "
        f"first:\n  {PROG} apply {safe(str(out))}",
        err=True,
    )


def _outcome_line(outcome: ActionOutcome) -> str:
    if outcome.status == "failed" and outcome.error is not None:
        action = outcome.action
        return f"failed to {action.kind} {action.type} '{safe(action.label)}': {describe(outcome.error)[1]}"
    return safe(str(outcome))


def apply(ctx: click.Context, path: Path, prune: bool, replace: tuple[str, ...], yes: bool, as_json: bool) -> None:
    plan = make_plan(ctx, path, prune, replace)
    if not as_json:
        echo(render(plan, color=_color()))
    if not plan.has_changes:
        if as_json:
            Output(True).json({"plan": plan.to_dict(), "report": None})
        return
    if not yes:
        if not _runtime.interactive():
            raise click.UsageError("not on a terminal, so no one can confirm: pass --yes to apply")
        if as_json:
            click.echo(render(plan, color=False), err=True)  # stdout is for the JSON
        if not _runtime.confirm(f"Apply these {len(plan.changes)} changes?"):
            raise NotConfirmed("nothing applied")
    _carry_out(ctx, plan, as_json)


def apply_saved(ctx: click.Context, plan_file: Path, as_json: bool) -> None:
    """``apply PLANFILE``: the saved plan (secrets from the environment now), exactly, or StalePlanError (exit 9)."""
    plan = Plan.load(plan_file)
    if not as_json:
        echo(render(plan, color=_color()))
    _carry_out(ctx, plan, as_json)


def _carry_out(ctx: click.Context, plan: Plan, as_json: bool) -> None:
    out = Output(as_json)

    def show_outcome(outcome: ActionOutcome) -> None:
        if not as_json and outcome.status != "unchanged":
            out.say(_outcome_line(outcome))

    report = _runtime.run(ctx, lambda client: client.connectors.apply(plan, on_outcome=show_outcome), flags=False)
    if as_json:
        out.json({"plan": plan.to_dict(), "report": report.to_dict()})
    else:
        out.say(report.summary())
    failures = [(o, o.error) for o in report.outcomes if o.status == "failed" and o.error is not None]
    for outcome, error in failures:
        click.echo(f"{PROG}: error: {safe(outcome.action.describe())}: {describe(error)[1]}", err=True)
    if not report.ok:  # the first failure's code; skipped actions alone cannot happen, but would be 1
        ctx.exit(int(describe(failures[0][1])[0]) if failures else int(ExitCode.ERROR))
