"""Plan files: a plan saved for review and applied later (``Plan.save`` / ``Plan.load``).

One JSON document, versioned, written atomically with mode 0600::

    {"format": "bigdata-connectors plan", "version": 1, "written_by": "bigdata-connectors 0.1.0",
     "made_at": "2026-05-04T09:30:00Z", "source": "connectors.yaml", "source_sha256": "…", "prune": false,
     "covers": {"labels": [...], "every_live_connector": false},
     "connectors": [{"connector_id": "…", "label": …, "type": …, "description": …, "share_with_org": …,
                     "config": {…}, "archived": false, "updated_at": "…"}, ...],
     "actions": [{"action": "create", "label": …, "type": …, "connector_id": null, "changes": [...],
                  "reasons": [...], "declared": {…, "secrets": {"config.user_password": "BROKER_PASSWORD"}}}],
     "variables": ["BROKER_PASSWORD"], "checksum": "…"}

``connectors`` are the fingerprints of the basis (``basis``); ``declared`` is the state each action applies,
so applying never reads the connectors file again. Secrets are never written: only the names of the environment
variables they come from, read when the plan is loaded. ``checksum`` is SHA-256 over the rest (canonical JSON):
an integrity check, not a signature (like the sync token's), so a plan changed after review, truncated or mangled
is refused rather than applied. A newer format version is refused with "upgrade".
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bigdata_connectors._as_code.actions import KINDS, SECRET_FIELDS, ActionKind, PlanAction
from bigdata_connectors._as_code.basis import FINGERPRINTED, PlanBasis
from bigdata_connectors._as_code.desired import ConnectorSpec, FieldChange
from bigdata_connectors._as_code.file import unset_variable
from bigdata_connectors._as_code.text import visible_json
from bigdata_connectors._errors import ConnectorsFileError, FileProblem
from bigdata_connectors._version import __version__

__all__ = ["FORMAT", "VERSION", "read_plan", "write_plan"]

FORMAT = "bigdata-connectors plan"
VERSION = 1
_SENDS_SECRETS = ("create", "replace")  # the actions whose request carries the connector's secret


def _checksum(document: Mapping[str, Any]) -> str:
    body = {k: v for k, v in document.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _declared(spec: ConnectorSpec, kind: ActionKind) -> dict[str, Any]:
    secret = SECRET_FIELDS.get(spec.type)
    has_value = secret is not None and (spec.user_password if spec.type == "investment_research" else spec.session_id)
    if kind in _SENDS_SECRETS and has_value and secret not in spec.secret_sources:
        raise ValueError(
            f"connector {spec.label!r}: its secret was not read from an environment variable, and a saved plan "
            "holds only variable names, never secrets (declare it in a connectors file with *_env)"
        )
    return {
        "type": spec.type,
        "label": spec.label,
        "description": spec.description,
        "share_with_org": spec.share_with_org,
        "allowed_emails": list(spec.allowed_emails),
        "user_id": spec.user_id,
        "secrets": dict(spec.secret_sources),
        "line": spec.line,
    }


def write_plan(path: str, source: str, actions: tuple[PlanAction, ...], prune: bool, basis: PlanBasis) -> None:
    """Save a plan to ``path`` (see the module's docstring). Raises ValueError, OSError."""
    encoded = []
    for action in actions:
        entry = action.to_dict()
        for key in ("config", "line", "secrets_not_compared"):  # views, rebuilt from "declared" when loaded
            entry.pop(key, None)
        entry["declared"] = _declared(action.spec, action.kind) if action.spec is not None else None
        encoded.append(entry)
    needed = {
        var
        for action in actions
        if action.kind in _SENDS_SECRETS and action.spec is not None
        for var in action.spec.secret_sources.values()
    }
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "written_by": f"bigdata-connectors {__version__}",
        "made_at": basis.made_at,
        "source": source,
        "source_sha256": basis.source_sha256,
        "prune": prune,
        "covers": {"labels": sorted(basis.labels), "every_live_connector": basis.every_live},
        "connectors": [{"connector_id": ident, **state} for ident, state in basis.connectors.items()],
        "actions": encoded,
        "variables": sorted(needed),
    }
    document["checksum"] = _checksum(document)
    # Letters as they are, control and bidi characters (and lone surrogates) as \uXXXX: a reviewer reading the
    # file sees what a parser reads, and nothing a terminal or an editor would act on.
    _write_atomically(path, visible_json(document, indent=2) + "\n")


def _write_atomically(path: str, text: str) -> None:
    """``text`` to ``path`` with mode 0600, through a temporary file in the same folder and one rename: a reader
    sees the old file or the new one, never a part, and the file is never readable by others, even briefly."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _refuse(path: str, message: str) -> ConnectorsFileError:
    return ConnectorsFileError(path, [FileProblem(None, "", message)])


def read_plan(path: str, environ: Mapping[str, str]) -> tuple[str, tuple[PlanAction, ...], bool, PlanBasis]:
    """The source, actions, prune and basis of the plan file at ``path``, with the secrets of its creates and
    replacements read from ``environ``. Raises ConnectorsFileError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else "not UTF-8 text"
        raise _refuse(path, f"cannot read the plan file: {reason}") from None
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _refuse(path, "not a saved plan (make one with: plan -f FILE --out PLANFILE)")
    version = document.get("version")
    if not isinstance(version, int) or version != VERSION:
        newer = isinstance(version, int) and version > VERSION
        raise _refuse(path, f"plan format {version!r} is not known" + (": upgrade bigdata-connectors" if newer else ""))
    if document.get("checksum") != _checksum(document):
        raise _refuse(path, "the plan file was changed after it was saved (its checksum does not match): plan again")
    try:
        actions = tuple(_action(entry) for entry in document["actions"])
        covers = document["covers"]
        basis = PlanBasis(
            {str(c["connector_id"]): {k: c.get(k) for k in FINGERPRINTED} for c in document["connectors"]},
            frozenset(str(label) for label in covers["labels"]),
            bool(covers["every_live_connector"]),
            str(document["made_at"]),
            document.get("source_sha256"),
        )
        source, prune = str(document["source"]), bool(document["prune"])
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _refuse(path, "the plan file is damaged (a part is missing or of the wrong kind): plan again") from None
    return source, _with_secrets(path, actions, environ), prune, basis


def _action(entry: Mapping[str, Any]) -> PlanAction:
    kind = entry["action"]
    if kind not in KINDS:
        raise ValueError(kind)
    changes = tuple(FieldChange(str(c["field"]), c["before"], c["after"]) for c in entry["changes"])
    declared = entry["declared"]
    spec = None
    if declared is not None:
        spec = ConnectorSpec(
            str(declared["type"]),
            str(declared["label"]),
            str(declared["description"]),
            bool(declared["share_with_org"]),
            allowed_emails=tuple(str(e) for e in declared["allowed_emails"]),
            user_id=declared["user_id"],
            secret_sources={str(k): str(v) for k, v in declared["secrets"].items()},
            line=declared["line"],
        )
    connector_id = entry["connector_id"]
    return PlanAction(
        kind,
        str(entry["label"]),
        str(entry["type"]),
        None if connector_id is None else str(connector_id),
        changes,
        tuple(str(r) for r in entry["reasons"]),
        spec,
    )


def _with_secrets(path: str, actions: tuple[PlanAction, ...], environ: Mapping[str, str]) -> tuple[PlanAction, ...]:
    """The actions, each create or replace given its secret from ``environ``; every variable not set is reported."""
    problems: list[FileProblem] = []
    missing: list[str] = []
    ready = []
    for index, action in enumerate(actions):
        spec, secret = action.spec, SECRET_FIELDS.get(action.type)
        if spec is None or secret is None or action.kind not in _SENDS_SECRETS:
            ready.append(action)
            continue
        variable = spec.secret_sources.get(secret)
        value = environ.get(variable) if variable else None
        if not value:
            message, name = unset_variable(variable or "")
            problems.append(FileProblem(None, f"actions[{index}] ({action.kind} {action.label!r})", message))
            missing.append(name)
            continue
        if secret == "config.user_password":
            spec = dataclasses.replace(spec, user_password=SecretStr(value))
        else:
            spec = dataclasses.replace(spec, session_id=SecretStr(value))
        ready.append(PlanAction(action.kind, action.label, action.type, action.connector_id, action.changes,
                                action.reasons, spec))  # fmt: skip
    if problems:
        raise ConnectorsFileError(path, problems, missing)
    return tuple(ready)
