"""``PlanAction``: one step of a plan, and what it cannot see.

A plan is made of these (``plan``), saved and read back with them (``saved``), and carried out one by one
(``apply``). Secrets are never part of an action's data: a declared secret shows only as the environment variable
it comes from, and one the API never returns (a broker password, a SharePoint session id) cannot be compared at
all, which ``secrets_not_compared`` says for every existing connector that has one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bigdata_connectors._as_code.desired import ConnectorSpec, FieldChange

__all__ = ["KINDS", "SECRET_FIELDS", "ActionKind", "PlanAction", "declared_lines"]

ActionKind = Literal["create", "update", "replace", "archive", "nothing"]
KINDS: tuple[ActionKind, ...] = ("create", "update", "replace", "archive", "nothing")
# The write-only field of each type that has one: sent on create, never returned by the API.
SECRET_FIELDS = {"investment_research": "config.user_password", "sharepoint": "config.session_id"}


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

    @property
    def secrets_not_compared(self) -> tuple[str, ...]:
        """The secret fields this action leaves as they are without being able to compare them: an existing
        connector's broker password (``config.user_password``) or SharePoint session id (``config.session_id``),
        which the API never returns. A new value in the environment is not sent: it goes out only when the
        connector is created or replaced (``replace=[label]``, the command line's ``--replace LABEL``)."""
        secret = SECRET_FIELDS.get(self.type)
        return (secret,) if secret is not None and self.kind in ("update", "nothing") else ()

    def describe(self) -> str:
        """One line: ``create investment_research 'Broker research'`` (with the id when there is one)."""
        ident = f" ({self.connector_id})" if self.connector_id else ""
        return f"{self.kind} {self.type} {self.label!r}{ident}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: kind, label, type, connector_id, changes, reasons, the secrets it cannot compare, and
        (create, replace) the declared config with each secret shown only as the variable it comes from."""
        data: dict[str, Any] = {
            "action": self.kind,
            "label": self.label,
            "type": self.type,
            "connector_id": self.connector_id,
            "changes": [c.to_dict() for c in self.changes],
            "reasons": list(self.reasons),
            "secrets_not_compared": list(self.secrets_not_compared),
        }
        if self.spec is not None and self.kind in ("create", "replace"):
            data["config"] = self.spec.config_view()
        if self.spec is not None and self.spec.line is not None:
            data["line"] = self.spec.line
        return data


def declared_lines(spec: ConnectorSpec) -> tuple[FieldChange, ...]:
    """A create's lines: every declared value, secrets as where they come from."""
    values: list[FieldChange] = [FieldChange("description", None, spec.description)] if spec.description else []
    values.append(FieldChange("share_with_org", None, spec.share_with_org))
    values += [FieldChange(f"config.{k}", None, v) for k, v in spec.config_view().items()]
    return tuple(values)
