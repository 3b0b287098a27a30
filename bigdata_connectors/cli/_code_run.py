"""The work behind ``plan`` and ``apply``. Loaded when the command runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from bigdata_connectors import ActionOutcome, BigdataClient, Plan
from bigdata_connectors.cli import _runtime
from bigdata_connectors.cli._common import PROG
from bigdata_connectors.cli._exit import NotConfirmed, describe
from bigdata_connectors.cli._output import Output
from bigdata_connectors.cli._runtime import run

__all__ = ["apply", "make_plan", "show_plan"]


def _color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def make_plan(ctx: click.Context, path: Path, prune: bool, replace: tuple[str, ...]) -> Plan:
    return run(ctx, lambda client: client.connectors.plan(path, prune=prune, replace=replace))


def show_plan(plan: Plan, as_json: bool, unchanged: bool = False) -> None:
    if as_json:
        Output(True).json(plan.to_dict())
    else:
        click.echo(plan.render(color=_color(), unchanged=unchanged))


def apply(ctx: click.Context, path: Path, prune: bool, replace: tuple[str, ...], yes: bool, as_json: bool) -> None:
    out = Output(as_json)

    def show_outcome(outcome: ActionOutcome) -> None:
        if not as_json and outcome.status != "unchanged":
            out.say(str(outcome))

    async def work(client: BigdataClient) -> dict[str, Any]:
        plan = await client.connectors.plan(path, prune=prune, replace=replace)
        if not as_json:
            click.echo(plan.render(color=_color()))
        if not plan.has_changes:
            return {"plan": plan.to_dict(), "report": None}
        if not yes:
            if as_json and _runtime.interactive():
                click.echo(plan.render(color=False), err=True)  # stdout is for the JSON
            if not _runtime.interactive():
                raise click.UsageError("not on a terminal, so no one can confirm: pass --yes to apply")
            if not click.confirm(f"Apply these {len(plan.changes)} changes?", default=False, err=True):
                raise NotConfirmed("nothing applied")
        report = await client.connectors.apply(plan, on_outcome=show_outcome)
        if not as_json:
            out.say(report.summary())
        if not report.ok:
            first = next(o for o in report.outcomes if o.status == "failed")
            code, message = describe(first.error) if first.error is not None else (1, "failed")
            for outcome in report.failed:
                if outcome.error is not None:
                    click.echo(f"{PROG}: error: {outcome.action.describe()}: {describe(outcome.error)[1]}", err=True)
            return {"plan": plan.to_dict(), "report": report.to_dict(), "exit_code": int(code), "message": message}
        return {"plan": plan.to_dict(), "report": report.to_dict()}

    result = run(ctx, work)
    if as_json:
        out.json({"plan": result["plan"], "report": result["report"]})
    if "exit_code" in result:
        ctx.exit(result["exit_code"])
