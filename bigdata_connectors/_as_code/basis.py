"""What a plan was made from (``PlanBasis``), and whether the account still looks like it (``stale_differences``).

A plan covers the live connectors it could act on: those labelled with a label the file declares (of any type: a
type change is a replacement), and, with ``prune``, every live connector (prune would archive the undeclared ones).
For each it keeps a *fingerprint*: the connector's state as the API returned it, minus what a sync changes
(``last_sync_*``, ``files_count``): label, type, description, sharing, config as returned, archived, and
``updated_at``, which moves with any edit, including edits to fields the SDK does not model. A saved plan is
stale when any covered connector is gone, archived or has another fingerprint, or when a live connector it would
now cover is not among them (one added under a planned label, or one prune would now archive).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bigdata_connectors._errors import EnsureError
from bigdata_connectors._generated.models import Connector

__all__ = ["FINGERPRINTED", "PlanBasis", "StalePlanError", "fingerprint", "stale_differences", "take_basis"]

FINGERPRINTED = ("label", "type", "description", "share_with_org", "config", "archived", "updated_at")


def fingerprint(connector: Connector) -> dict[str, Any]:
    """The part of a connector's state an edit changes, as JSON values."""
    data = connector.model_dump(mode="json")
    return {key: data.get(key) for key in FINGERPRINTED}


@dataclass(frozen=True, slots=True)
class PlanBasis:
    """What a plan was made from: the fingerprint of every connector it covers (by id), the labels the file
    declares, whether it covers every live connector (``prune``), when it was made (UTC, ISO 8601) and the
    SHA-256 of the connectors file's text (None when the plan was made from a ``ConnectorsFile`` built in code)."""

    connectors: Mapping[str, Mapping[str, Any]]
    labels: frozenset[str]
    every_live: bool
    made_at: str
    source_sha256: str | None = None

    def covers(self, connector: Connector) -> bool:
        return not connector.archived and (self.every_live or connector.label in self.labels)


def take_basis(
    labels: Iterable[str], connectors: Collection[Connector], *, prune: bool, made_at: str, source_sha256: str | None
) -> PlanBasis:
    """The basis of a plan made from ``connectors`` (as ``list()`` returned them)."""
    basis = PlanBasis({}, frozenset(labels), prune, made_at, source_sha256)
    covered = {str(c.connector_id): fingerprint(c) for c in connectors if basis.covers(c)}
    return PlanBasis(covered, basis.labels, prune, made_at, source_sha256)


def _name(state: Mapping[str, Any], ident: str) -> str:
    return f"{state.get('type')} {state.get('label')!r} ({ident})"


def stale_differences(basis: PlanBasis, connectors: Collection[Connector]) -> list[str]:
    """How the account differs from what the plan covered, one line per connector (empty when it does not).

    ``connectors`` is the whole account as ``list()`` returns it now."""
    now = {str(c.connector_id): c for c in connectors}
    found: list[str] = []
    for ident, before in basis.connectors.items():
        connector = now.get(ident)
        if connector is None:
            found.append(f"{_name(before, ident)} was deleted")
            continue
        after = fingerprint(connector)
        if after.get("archived") and not before.get("archived"):
            found.append(f"{_name(before, ident)} was archived")
            continue
        changed = [key for key in FINGERPRINTED if before.get(key) != after.get(key)]
        if changed == ["updated_at"]:
            found.append(f"{_name(before, ident)} was edited (its updated_at moved)")
        elif changed:
            fields = ", ".join(key for key in changed if key != "updated_at")
            found.append(f"{_name(before, ident)} changed: {fields}")
    for ident, connector in now.items():
        if ident not in basis.connectors and basis.covers(connector):
            why = "under a label the plan declares" if connector.label in basis.labels else "and prune would archive it"
            found.append(f"{_name(fingerprint(connector), ident)} is new, {why}")
    return found


class StalePlanError(EnsureError):
    """A saved plan was not applied because the account changed since it was made: a connector it covers was
    edited (in the web app, by another plan, ...), archived or deleted, or a live connector it would now cover
    appeared (one added under a planned label, or one ``prune`` would now archive). ``differences`` says what,
    one line each; ``plan_file`` is the plan's path. Raised before any change: make a new plan and review it."""

    def __init__(self, plan_file: str, differences: Iterable[str]) -> None:
        self.plan_file = plan_file
        self.differences = tuple(differences)
        super().__init__(
            f"the saved plan {plan_file} is stale: the account changed since it was made ({'; '.join(self.differences)}"
            "); nothing was changed: make a new plan and review it"
        )
