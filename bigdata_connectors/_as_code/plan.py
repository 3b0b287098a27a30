"""``Plan``: what it takes to bring the account to a connectors file, as a value that prints as a diff and
serialises to JSON, never showing a secret; saved to a file and read back (``save``/``load``, format in ``saved``).

The file's key is the label (unique in the file). For each declared connector, the live (not archived)
connectors with its label decide the action: none, *create*; one of the same type, *update* (fields that
differ), *replace* (what cannot change in place: a new broker user_id, or a replacement asked for), or
*nothing*; only one of another type, *replace* (the type changes). Several of the declared type make the label
ambiguous (AmbiguousLabelError). With ``prune``, every other live connector the key can see is *archived*.
Every plan keeps its basis (``basis``): the fingerprints of the connectors it covers, which a saved plan is
checked against before it is applied.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bigdata_connectors._as_code.actions import KINDS, ActionKind, PlanAction, declared_lines
from bigdata_connectors._as_code.basis import PlanBasis, take_basis
from bigdata_connectors._as_code.desired import compare
from bigdata_connectors._as_code.file import ConnectorsFile
from bigdata_connectors._as_code.saved import read_plan, write_plan
from bigdata_connectors._as_code.text import visible, visible_json
from bigdata_connectors._errors import AmbiguousLabelError
from bigdata_connectors._generated.models import Connector

__all__ = ["ActionKind", "Plan", "PlanAction", "make_plan"]

_SIGNS = {"create": "+", "update": "~", "replace": "-/+", "archive": "-", "nothing": "="}
_COLORS = {"create": "32", "update": "33", "replace": "35", "archive": "31", "nothing": "2"}


@dataclass(frozen=True, slots=True)
class Plan:
    """The actions that bring the account to ``source`` (a connectors file), in file order, archives last.

    ``str(plan)`` (or ``render()``) is a readable diff; ``to_dict()``/``to_json()`` the same as data. Pass it
    to ``client.connectors.apply``. Secrets never appear in either form, nor in ``repr``. ``save(path)`` writes
    it to a plan file; ``Plan.load(path)`` reads one back (``plan_file`` is then its path), and ``apply`` carries
    out such a saved plan exactly, or refuses it (StalePlanError) when the account changed since it was made.
    """

    source: str
    actions: tuple[PlanAction, ...]
    prune: bool = False
    basis: PlanBasis | None = field(default=None, repr=False, compare=False)
    plan_file: str | None = None

    @property
    def changes(self) -> tuple[PlanAction, ...]:
        """The actions that change something (everything but ``nothing``)."""
        return tuple(a for a in self.actions if a.kind != "nothing")

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[ActionKind, int]:
        counted = Counter(a.kind for a in self.actions)
        return {kind: counted.get(kind, 0) for kind in KINDS}

    def summary(self) -> str:
        """``Plan: 1 to create, 1 to update, 0 to replace, 2 to archive, 3 unchanged.``"""
        n = self.counts()
        return (
            f"Plan: {n['create']} to create, {n['update']} to update, {n['replace']} to replace, "
            f"{n['archive']} to archive, {n['nothing']} unchanged."
        )

    def notes(self) -> tuple[str, ...]:
        """One line per existing connector whose secret this plan cannot compare (the API never returns a broker
        password or a SharePoint session id), so that nobody takes a rotated secret for applied: it is sent only
        when the connector is created or replaced. Notes are not changes."""
        return tuple(
            f"{unseen}, which the API never returns: a new value is sent only if the connector is replaced"
            for unseen in self._unseen()
        )

    def _unseen(self) -> list[str]:
        lines = []
        for action in self.actions:
            for secret in action.secrets_not_compared:
                source = action.spec.secret_sources.get(secret) if action.spec is not None else None
                where = f" (${source})" if source else ""
                lines.append(f"{action.type} {action.label!r} ({action.connector_id}): cannot see {secret}{where}")
        return lines

    def render(self, *, color: bool = False, unchanged: bool = False) -> str:
        """The plan as a diff: one block per change (``+`` create, ``~`` update, ``-/+`` replace,
        ``-`` archive), the secrets it cannot compare, then the summary. ``unchanged`` lists the connectors
        already as declared; ``color`` adds ANSI colours (for a terminal). Control characters of any value
        (server text) are written out (``\\x1b``, ``\\u202e``), never printed."""
        head = f"Plan for {self.source}" + (" (prune: archive what the file does not declare)" if self.prune else "")
        if self.plan_file is not None:
            made = f", made {self.basis.made_at}" if self.basis is not None else ""
            head += f" (saved in {self.plan_file}{made})"
        lines = [visible(head)]
        if not self.has_changes:
            lines.append(visible(f"No changes: the account matches {self.source} ({len(self.actions)} connectors)."))
        for action in self.actions if self.has_changes else ():
            if action.kind == "nothing" and not unchanged:
                continue
            sign = visible(f"{_SIGNS[action.kind]} {action.describe()}")
            lines += ["", f"\x1b[{_COLORS[action.kind]}m{sign}\x1b[0m" if color else sign]
            lines.extend(visible(f"    because {reason}") for reason in action.reasons)
            width = max((len(c.field) for c in action.changes), default=0)
            for change in action.changes:
                after = _show(change.after)
                value = after if action.kind == "create" else f"{_show(change.before)} -> {after}"
                lines.append(visible(f"    {change.field:<{width}}  {value}"))
            if action.kind == "replace" and action.spec is not None:
                lines.append("    (the old connector is archived, then a new one is created)")
        unseen = self._unseen()
        if unseen:
            lines += ["", "Secrets the API never returns, so this plan cannot see them (a new value is sent only by"]
            lines += ["a replacement: --replace LABEL, or replace=[label]):"]
            lines.extend(visible(f"    {line}") for line in unseen)
        if self.has_changes:
            lines += ["", self.summary()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "prune": self.prune,
            "summary": self.counts(),
            "actions": [a.to_dict() for a in self.actions],
            "notes": list(self.notes()),
        }
        if self.plan_file is not None:
            data["plan_file"] = self.plan_file
            data["made_at"] = self.basis.made_at if self.basis is not None else None
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        """``to_dict()`` as JSON; control characters of server text as ``\\uXXXX`` escapes (the same data)."""
        return visible_json(self.to_dict(), indent=indent)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write this plan to ``path`` (JSON, mode 0600, replaced atomically): its actions, the declared state
        they apply, and the fingerprint of every connector it covers. Secrets are never written, only the names
        of the environment variables they come from; ``Plan.load`` reads those at apply time.

        Raises ValueError (a plan not made by ``client.connectors.plan``, or a secret that did not come from an
        environment variable), OSError (the file cannot be written).
        """
        if self.basis is None:
            raise ValueError("only a plan made by client.connectors.plan can be saved: it keeps what the account was")
        write_plan(os.fspath(path), self.source, self.actions, self.prune, self.basis)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None) -> Plan:
        """Read a plan saved with ``save``. The secrets its creates and replacements send come from ``environ``
        (default ``os.environ``) now, by the variable names the plan holds. Pass the result to
        ``client.connectors.apply``: it re-reads the account and applies exactly these actions, or refuses with
        StalePlanError, before any change, if a connector the plan covers changed since it was made.

        Raises ConnectorsFileError (unreadable, not a plan file, made by a newer SDK, changed after it was saved,
        or a variable not set: ``missing_variables``).
        """
        name = os.fspath(path)
        source, actions, prune, basis = read_plan(name, os.environ if environ is None else environ)
        return cls(source, actions, prune, basis, name)


def _show(value: Any) -> str:
    return value if isinstance(value, str) and value.startswith("(secret") else visible_json(value)


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
            actions.append(PlanAction("create", spec.label, spec.type, changes=declared_lines(spec), spec=spec))
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
    made_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    basis = take_basis(labels, connectors, prune=prune, made_at=made_at, source_sha256=declared.sha256)
    return Plan(declared.name, tuple(actions), prune, basis)
