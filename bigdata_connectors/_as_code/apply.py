"""``apply``: carry out a Plan with ``ensure``, in a safe order, reporting each action's outcome.

The order: creates, then updates, then replacements, then (``prune``) archives; destructive steps last.
Archives are skipped when anything before them failed, so a partial run never leaves the account with less
than it had. A replacement archives the old connector first and then ensures the new one (never adopting
the old): if the create fails, applying again creates it, whereas creating first would leave two live
connectors under one label, which the next plan could only refuse as ambiguous.
Every action goes through ``ensure``, which looks at the account as it is now, so a plan applied twice, or
after the account changed, still converges; a plan whose actions are all ``nothing`` sends no request.
A saved plan (read back with ``Plan.load``) is different: what was reviewed must be what runs, so the account is
read once first and the plan refused (StalePlanError, before any change) if a connector it covers changed.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bigdata_connectors._as_code.actions import PlanAction
from bigdata_connectors._as_code.basis import StalePlanError, stale_differences
from bigdata_connectors._as_code.ensure import Memory, Operations, ensure_connector
from bigdata_connectors._as_code.plan import Plan
from bigdata_connectors._as_code.text import in_words, visible
from bigdata_connectors._errors import BigdataError
from bigdata_connectors._generated.models import Connector
from bigdata_connectors._types import Clock, Sleep

__all__ = ["ActionOutcome", "ApplyReport", "OutcomeCallback", "apply_plan"]

OutcomeStatus = Literal["done", "unchanged", "failed", "skipped"]
_ORDER = {"nothing": 0, "create": 1, "update": 2, "replace": 3, "archive": 4}
_PAST = {"create": "created", "update": "updated", "replace": "replaced", "archive": "archived", "nothing": "unchanged"}


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """How one action ended: ``status`` "done", "unchanged", "failed" (``error`` says why) or "skipped"
    (an archive after an earlier failure); ``connector`` as it stands after it (for archive: archived).
    ``str()`` says it in words (server text with its control characters written out); ``to_dict()`` has the
    same words under ``error`` and the error's class name under ``error_type``."""

    action: PlanAction
    status: OutcomeStatus
    connector: Connector | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("done", "unchanged")

    def __str__(self) -> str:
        a = self.action
        what = f"{a.type} {a.label!r}"
        ident = str(self.connector.connector_id) if self.connector is not None else a.connector_id
        if self.status == "failed":
            return visible(f"failed to {a.kind} {what}: {in_words(self.error) if self.error else 'no reason given'}")
        if self.status == "skipped":
            return f"skipped: {a.kind} {what} ({ident}), because an earlier action failed"
        if a.kind == "replace" and self.status == "done":
            ident = f"{a.connector_id} archived, now {ident}"
        return f"{_PAST[a.kind] if self.status == 'done' else 'unchanged'} {what}" + (f" ({ident})" if ident else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action.kind,
            "label": self.action.label,
            "type": self.action.type,
            "status": self.status,
            "connector_id": str(self.connector.connector_id)
            if self.connector is not None
            else self.action.connector_id,
            "error": in_words(self.error) if self.error is not None else None,
            "error_type": type(self.error).__name__ if self.error is not None else None,  # for programs, not people
        }


@dataclass(frozen=True, slots=True)
class ApplyReport:
    """Every action's outcome, in the order they ran. ``ok`` when none failed or was skipped."""

    source: str
    outcomes: tuple[ActionOutcome, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def failed(self) -> tuple[ActionOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)

    def summary(self) -> str:
        done = sum(o.status == "done" for o in self.outcomes)
        same = sum(o.status == "unchanged" for o in self.outcomes)
        bad = sum(o.status == "failed" for o in self.outcomes)
        skipped = sum(o.status == "skipped" for o in self.outcomes)
        return f"Apply: {done} done, {same} unchanged, {bad} failed, {skipped} skipped."

    def __str__(self) -> str:
        return "\n".join([*(str(o) for o in self.outcomes if o.status != "unchanged"), self.summary()])

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "ok": self.ok, "outcomes": [o.to_dict() for o in self.outcomes]}


OutcomeCallback = Callable[[ActionOutcome], Awaitable[None] | None]


async def apply_plan(
    ops: Operations,
    plan: Plan,
    *,
    clock: Clock,
    sleep: Sleep,
    consistency_timeout: float,
    on_outcome: OutcomeCallback | None = None,
    memory: Memory | None = None,
) -> ApplyReport:
    """Run ``plan``'s actions in the safe order; returns the report. A saved plan (``plan_file``) is first
    checked against the account: StalePlanError (nothing sent but one list) if a connector it covers changed.
    Otherwise raises only for what is not a BigdataError (a bug, cancellation): API and ensure errors end up in
    the failed action's outcome."""
    if plan.plan_file is not None and plan.basis is not None:  # a saved plan: exactly as reviewed, or not at all
        differences = stale_differences(plan.basis, await ops.list())
        if differences:
            raise StalePlanError(plan.plan_file, differences)
    outcomes: list[ActionOutcome] = []
    for action in sorted(plan.actions, key=lambda a: _ORDER[a.kind]):
        if action.kind == "nothing":
            outcome = ActionOutcome(action, "unchanged")
        elif action.kind == "archive" and any(not o.ok for o in outcomes):
            outcome = ActionOutcome(action, "skipped")
        else:
            try:
                connector = await _run(ops, action, clock, sleep, consistency_timeout, memory)
            except (BigdataError, ValueError) as err:
                outcome = ActionOutcome(action, "failed", error=err)
            else:
                outcome = ActionOutcome(action, "done", connector)
        outcomes.append(outcome)
        if on_outcome is not None:
            result = on_outcome(outcome)
            if inspect.isawaitable(result):
                await result
    return ApplyReport(plan.source, tuple(outcomes))


async def _run(
    ops: Operations, action: PlanAction, clock: Clock, sleep: Sleep, consistency_timeout: float, memory: Memory | None
) -> Connector | None:
    if action.kind == "archive":
        assert action.connector_id is not None
        return await ops.delete(action.connector_id)
    assert action.spec is not None
    exclude: tuple[str, ...] = ()
    if action.kind == "replace":
        assert action.connector_id is not None
        await ops.delete(action.connector_id)
        exclude = (action.connector_id,)
    return await ensure_connector(
        ops,
        action.spec,
        clock=clock,
        sleep=sleep,
        consistency_timeout=consistency_timeout,
        exclude=exclude,
        memory=memory,
    )
