"""``Plan``: what it takes to bring the account to a connectors file, as a value that prints as a diff and
serialises to JSON, never showing a secret.

The file's key is the label (unique in the file). For each declared connector, the live (not archived)
connectors with its label decide the action: none, *create*; one of the same type, *update* (fields that
differ), *replace* (what cannot change in place: a new broker user_id, or a replacement asked for), or
*nothing*; only one of another type, *replace* (the type changes). Several of the declared type make the label
ambiguous (AmbiguousLabelError). With ``prune``, every other live connector the key can see is *archived*.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bigdata_connectors._as_code.desired import ConnectorSpec, FieldChange, compare
from bigdata_connectors._as_code.file import ConnectorsFile
from bigdata_connectors._errors import AmbiguousLabelError
from bigdata_connectors._generated.models import Connector

__all__ = ["ActionKind", "Plan", "PlanAction", "make_plan"]

ActionKind = Literal["create", "update", "replace", "archive", "nothing"]
_KINDS: tuple[ActionKind, ...] = ("create", "update", "replace", "archive", "nothing")
_SIGNS = {"create": "+", "update": "~", "replace": "-/+", "archive": "-", "nothing": "="}
_COLORS = {"create": "32", "update": "33", "replace": "35", "archive": "31", "nothing": "2"}


@dataclass(frozen=True, slots=True)
class PlanAction:
    """One step of a plan. ``connector_id`` is the existing connector it concerns (None for create);
    ``changes`` the fields that differ (for create: the declared values); ``reasons`` why a replacement;
    ``spec`` the declared state (None for archive), holding secrets that are never shown."""

    kind: ActionKind
    label: str
    type: str
    connector_id: str | None = None
    changes: tuple[FieldChange, ...] = ()
    reasons: tuple[str, ...] = ()
    spec: ConnectorSpec | None = field(default=None, repr=False, compare=False)

    def describe(self) -> str:
        """One line: ``create investment_research 'Broker research'`` (with the id when there is one)."""
        ident = f" ({self.connector_id})" if self.connector_id else ""
        return f"{self.kind} {self.type} {self.label!r}{ident}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: kind, label, type, connector_id, changes, reasons, and (create, replace) the declared
        config with each secret shown only as the variable it comes from."""
        data: dict[str, Any] = {
            "action": self.kind,
            "label": self.label,
            "type": self.type,
            "connector_id": self.connector_id,
            "changes": [c.to_dict() for c in self.changes],
            "reasons": list(self.reasons),
        }
        if self.spec is not None and self.kind in ("create", "replace"):
            data["config"] = self.spec.config_view()
        if self.spec is not None and self.spec.line is not None:
            data["line"] = self.spec.line
        return data


@dataclass(frozen=True, slots=True)
class Plan:
    """The actions that bring the account to ``source`` (a connectors file), in file order, archives last.

    ``str(plan)`` (or ``render()``) is a readable diff; ``to_dict()``/``to_json()`` the same as data. Pass it
    to ``client.connectors.apply``. Secrets never appear in either form, nor in ``repr``.
    """

    source: str
    actions: tuple[PlanAction, ...]
    prune: bool = False

    @property
    def changes(self) -> tuple[PlanAction, ...]:
        """The actions that change something (everything but ``nothing``)."""
        return tuple(a for a in self.actions if a.kind != "nothing")

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[ActionKind, int]:
        counted = Counter(a.kind for a in self.actions)
        return {kind: counted.get(kind, 0) for kind in _KINDS}

    def summary(self) -> str:
        """``Plan: 1 to create, 1 to update, 0 to replace, 2 to archive, 3 unchanged.``"""
        n = self.counts()
        return (
            f"Plan: {n['create']} to create, {n['update']} to update, {n['replace']} to replace, "
            f"{n['archive']} to archive, {n['nothing']} unchanged."
        )

    def render(self, *, color: bool = False, unchanged: bool = False) -> str:
        """The plan as a diff: one block per change (``+`` create, ``~`` update, ``-/+`` replace,
        ``-`` archive), then the summary. ``unchanged`` lists the connectors already as declared;
        ``color`` adds ANSI colours (for a terminal)."""
        lines = [f"Plan for {self.source}" + (" (prune: archive what the file does not declare)" if self.prune else "")]
        if not self.has_changes:
            lines.append(f"No changes: the account matches {self.source} ({len(self.actions)} connectors).")
            return "\n".join(lines)
        for action in self.actions:
            if action.kind == "nothing" and not unchanged:
                continue
            head = f"{_SIGNS[action.kind]} {action.describe()}"
            lines.append("")
            lines.append(f"\x1b[{_COLORS[action.kind]}m{head}\x1b[0m" if color else head)
            lines.extend(f"    because {reason}" for reason in action.reasons)
            width = max((len(c.field) for c in action.changes), default=0)
            for change in action.changes:
                value = (
                    _show(change.after)
                    if action.kind == "create"
                    else f"{_show(change.before)} -> {_show(change.after)}"
                )
                lines.append(f"    {change.field:<{width}}  {value}")
            if action.kind == "replace" and action.spec is not None:
                lines.append("    (the old connector is archived, then a new one is created)")
        lines += ["", self.summary()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "prune": self.prune,
            "summary": self.counts(),
            "actions": [a.to_dict() for a in self.actions],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _show(value: Any) -> str:
    return value if isinstance(value, str) and value.startswith("(secret") else json.dumps(value, ensure_ascii=False)


def _declared(spec: ConnectorSpec) -> tuple[FieldChange, ...]:
    """A create's lines: every declared value, secrets as where they come from."""
    values: list[FieldChange] = [FieldChange("description", None, spec.description)] if spec.description else []
    values.append(FieldChange("share_with_org", None, spec.share_with_org))
    values += [FieldChange(f"config.{k}", None, v) for k, v in spec.config_view().items()]
    return tuple(values)


def make_plan(
    declared: ConnectorsFile, connectors: Sequence[Connector], *, prune: bool, replace: Collection[str] = ()
) -> Plan:
    """The plan from a loaded file and the account's connectors (as ``list()`` returned them).

    Raises ValueError (``replace`` names a label the file does not declare), AmbiguousLabelError.
    """
    labels = {s.label for s in declared.connectors}
    unknown = sorted(set(replace) - labels)
    if unknown:
        raise ValueError(f"replace names labels {declared.name} does not declare: {', '.join(map(repr, unknown))}")
    live = [c for c in connectors if not c.archived]
    claimed: set[str] = set()
    actions: list[PlanAction] = []
    for spec in declared.connectors:
        same = [c for c in live if c.label == spec.label and c.type == spec.type]
        other = [c for c in live if c.label == spec.label and c.type != spec.type]
        if len(same) > 1 or (not same and len(other) > 1):
            raise AmbiguousLabelError(spec.type if same else None, spec.label, same or other)
        if not same and not other:
            actions.append(PlanAction("create", spec.label, spec.type, changes=_declared(spec), spec=spec))
            continue
        current = (same or other)[0]
        claimed.add(str(current.connector_id))
        comparison = compare(spec, current)
        reasons = comparison.replace_reasons
        if spec.label in replace and not reasons:
            reasons = ("a replacement was asked for (replace)",)
        kind: ActionKind = "replace" if reasons else ("update" if comparison.changes else "nothing")
        ident = str(current.connector_id)
        actions.append(PlanAction(kind, spec.label, spec.type, ident, comparison.changes, tuple(reasons), spec))
    if prune:
        for c in live:
            if str(c.connector_id) not in claimed:
                actions.append(PlanAction("archive", c.label, str(c.type), str(c.connector_id)))
    return Plan(declared.name, tuple(actions), prune)
