"""The declared state of one connector (``ConnectorSpec``) and how a live connector differs from it.

Shared by ``ensure`` (one connector from arguments) and ``plan`` (many, from a file). The key is the
label with the type. What can differ in place: description, sharing, an email connector's allowed senders.
What cannot: the type, and an investment_research connector's ``user_id`` (broker credentials are fixed at
creation), which call for a replacement. Passwords and SharePoint session ids are write-only: the API never
returns them, so no comparison can see them change (``plan(replace=[label])`` forces a replacement).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr, ValidationError

from bigdata_connectors._generated.models import (
    Connector,
    EmailConnectorResponseConfig,
    InvestmentResearchConnectorResponseConfig,
)
from bigdata_connectors._generated.request_models import (
    ConnectorCreatePayload,
    EmailConnectorCreatePayload,
    InvestmentResearchConnectorCreatePayload,
)

__all__ = ["ConnectorSpec", "FieldChange", "compare"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field that differs: ``field`` (``description``, ``share_with_org``, ``config.allowed_emails``,
    ``config.user_id``, ``type``), its value ``before`` (on the account) and ``after`` (declared). Never a secret."""

    field: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class ConnectorSpec:
    """The declared state of one connector. Secrets are ``SecretStr``; ``secret_sources`` maps a secret
    field (``config.user_password``, ``config.session_id``) to the environment variable it came from, for
    display; ``line`` is where a connectors file declares it."""

    type: str
    label: str
    description: str = ""
    share_with_org: bool = False
    allowed_emails: tuple[str, ...] = ()
    user_id: str | None = None
    user_password: SecretStr | None = None
    session_id: SecretStr | None = None
    secret_sources: Mapping[str, str] = field(default_factory=dict)
    line: int | None = None

    @classmethod
    def from_create_args(
        cls, *, type: str, label: str, config: Any, description: str | None, share_with_org: bool
    ) -> ConnectorSpec:
        """The spec for ``create``-style arguments, validated as a create payload (nothing is sent).

        Raises ValueError when ``config`` does not fit ``type``; it names the fields at fault, never their values.
        """
        data = dict(config) if isinstance(config, Mapping) else config
        failure: ValidationError | None = None
        try:
            payload = ConnectorCreatePayload.model_validate(
                {"type": type, "label": label, "config": data, "share_with_org": share_with_org}
            ).root
        except ValidationError as err:
            failure = err
        if failure is not None:
            # Raised outside the except block: pydantic's error (which repeats the input, secrets
            # included) must not ride along as __context__.
            raise ValueError(f"connector {label!r} is not a valid {type!r} connector: {_describe(failure)}")
        if isinstance(payload, EmailConnectorCreatePayload):
            emails = tuple(payload.config.allowed_emails) if payload.config is not None else ()
            return cls(type, label, description or "", share_with_org, allowed_emails=emails)
        if isinstance(payload, InvestmentResearchConnectorCreatePayload):
            cfg = payload.config
            return cls(
                type, label, description or "", share_with_org, user_id=cfg.user_id, user_password=cfg.user_password
            )
        return cls(type, label, description or "", share_with_org, session_id=payload.config.session_id)

    def create_args(self) -> dict[str, Any]:
        """Keyword arguments for ``ConnectorsService.create``; secrets stay ``SecretStr`` where the model allows."""
        config: dict[str, Any] | None
        if self.type == "email":
            config = {"allowed_emails": list(self.allowed_emails)} if self.allowed_emails else None
        elif self.type == "investment_research":
            config = {"user_id": self.user_id, "user_password": self.user_password}
        else:  # the sharepoint model takes a SecretStr too
            config = {"session_id": self.session_id}
        return {
            "type": self.type,
            "label": self.label,
            "config": config,
            "description": self.description or None,
            "share_with_org": self.share_with_org,
        }

    def config_view(self) -> dict[str, Any]:
        """The declared config for display: plain values, and secrets only as where they come from."""
        if self.type == "email":
            return {"allowed_emails": list(self.allowed_emails)}
        if self.type == "investment_research":
            return {"user_id": self.user_id, "user_password": _secret_view(self, "config.user_password")}
        return {"session_id": _secret_view(self, "config.session_id")}

    def __repr__(self) -> str:
        return f"ConnectorSpec(type={self.type!r}, label={self.label!r})"


def _describe(err: ValidationError) -> str:
    """Where and what, without the inputs: pydantic's own text quotes them, and they may be passwords."""
    parts = []
    for e in err.errors(include_input=False, include_url=False):
        path = [str(p) for p in e["loc"]]
        if path and path[0] in ("email", "investment_research", "sharepoint"):  # the union's tag
            path = path[1:]
        msg = (
            "type must be one of email, investment_research, sharepoint"
            if e["type"] == "union_tag_invalid"
            else e["msg"]
        )
        parts.append(f"{'.'.join(path)}: {msg}" if path else msg)
    return "; ".join(parts)


def _secret_view(spec: ConnectorSpec, key: str) -> str:
    source = spec.secret_sources.get(key)
    return f"(secret from ${source})" if source else "(secret)"


@dataclass(frozen=True, slots=True)
class Comparison:
    """How a live connector differs from a spec: fields to update in place, and why it must be replaced."""

    changes: tuple[FieldChange, ...]
    replace_reasons: tuple[str, ...]

    def update_args(self) -> dict[str, Any]:
        """Keyword arguments for ``ConnectorsService.update`` carrying exactly the changed fields."""
        args: dict[str, Any] = {}
        for change in self.changes:
            if change.field == "config.allowed_emails":
                args["config"] = {"allowed_emails": list(change.after)}
            elif change.field in ("description", "share_with_org"):
                args[change.field] = change.after
        return args


def compare(spec: ConnectorSpec, connector: Connector) -> Comparison:
    """What it takes to bring ``connector`` to ``spec`` (matched by label)."""
    changes: list[FieldChange] = []
    reasons: list[str] = []
    if connector.type != spec.type:
        changes.append(FieldChange("type", connector.type, spec.type))
        reasons.append(f"its type changes from {connector.type} to {spec.type}")
        return Comparison(tuple(changes), tuple(reasons))
    if (connector.description or "") != spec.description:
        changes.append(FieldChange("description", connector.description or "", spec.description))
    if connector.share_with_org != spec.share_with_org:
        changes.append(FieldChange("share_with_org", connector.share_with_org, spec.share_with_org))
    config = connector.config
    if spec.type == "email":
        have = list(config.allowed_emails or []) if isinstance(config, EmailConnectorResponseConfig) else []
        if sorted(have) != sorted(spec.allowed_emails):  # the order of senders means nothing
            changes.append(FieldChange("config.allowed_emails", have, list(spec.allowed_emails)))
    elif spec.type == "investment_research":
        have_user = config.user_id if isinstance(config, InvestmentResearchConnectorResponseConfig) else None
        if have_user != spec.user_id:
            changes.append(FieldChange("config.user_id", have_user, spec.user_id))
            reasons.append("its broker user_id changes, and broker credentials are fixed at creation")
    return Comparison(tuple(changes), tuple(reasons))
