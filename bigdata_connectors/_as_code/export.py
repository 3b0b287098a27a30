"""``export``: the account's live connectors as a connectors file, to adopt what was made by hand.

With the variables it names set, ``plan`` of the exported file reports no changes (what the API returns is exactly
what the file declares; secrets are never compared). Left out, each with a note (in ``ConnectorsFile.notes``, the
file's header and a warning in the log): archived connectors (they take no new content and ``plan`` ignores them),
connectors of a type this SDK does not know (it could not read their file back), connectors a file cannot name (an
empty label, or several live connectors sharing one: labels are a file's key; archive or relabel, then export
again), and those whose config a file cannot hold (a sender that is not an address, a broker user missing).
Note: ``apply --prune`` of the file would archive every live connector left out.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Sequence
from fnmatch import fnmatchcase

from bigdata_connectors._as_code.desired import ConnectorSpec
from bigdata_connectors._as_code.emit import derive_variables
from bigdata_connectors._as_code.file import ConnectorsFile
from bigdata_connectors._generated.models import (
    Connector,
    EmailConnectorResponseConfig,
    InvestmentResearchConnectorResponseConfig,
)

__all__ = ["EXPORT_NAME", "export_file"]

logger = logging.getLogger("bigdata_connectors")

EXPORT_NAME = "exported connectors"
_KNOWN = ("email", "investment_research", "sharepoint")


def _named(connector: Connector) -> str:
    return f"{connector.type} {connector.label!r} ({connector.connector_id})"


def _spec(connector: Connector) -> ConnectorSpec | str:
    """The declared state that matches ``connector``, or why a file cannot hold it."""
    description, share = connector.description or "", connector.share_with_org
    config = connector.config
    if not connector.label.strip():
        return "its label is empty, and a connectors file names connectors by label"
    if connector.type == "email":
        emails = tuple(config.allowed_emails or ()) if isinstance(config, EmailConnectorResponseConfig) else ()
        if any("@" not in e or e != e.strip() for e in emails):
            return "one of its allowed senders is not an address a connectors file accepts"
        return ConnectorSpec("email", connector.label, description, share, allowed_emails=emails)
    if connector.type == "investment_research":
        if not isinstance(config, InvestmentResearchConnectorResponseConfig) or not config.user_id.strip():
            return "the API did not return its broker user_id"
        return ConnectorSpec("investment_research", connector.label, description, share, user_id=config.user_id)
    return ConnectorSpec("sharepoint", connector.label, description, share)


def export_file(
    connectors: Sequence[Connector], *, labels: Sequence[str] = (), type: str | None = None
) -> ConnectorsFile:
    """A connectors file of the live connectors among ``connectors`` (as ``list()`` returned them) whose label
    matches one of the ``labels`` globs (``fnmatch``, case-sensitive; all when empty) and whose type is ``type``
    (any when None); ordered by label, then type, then id, so exporting an unchanged account gives the same text."""
    chosen = [
        c
        for c in connectors
        if (not labels or any(fnmatchcase(c.label, pattern) for pattern in labels)) and type in (None, c.type)
    ]
    notes: list[str] = []
    live = sorted((c for c in chosen if not c.archived), key=lambda c: (c.label, str(c.type), str(c.connector_id)))
    shared = Counter(c.label for c in live)
    kept: list[tuple[Connector, ConnectorSpec]] = []
    for connector in live:
        if connector.type not in _KNOWN:
            notes.append(f"{_named(connector)}: its type is not one this version of bigdata-connectors knows")
        elif shared[connector.label] > 1:
            notes.append(f"{_named(connector)}: {shared[connector.label]} live connectors share its label")
        elif isinstance(spec := _spec(connector), str):
            notes.append(f"{_named(connector)}: {spec}")
        else:
            kept.append((connector, spec))
    archived = len(chosen) - len(live)
    if archived:
        notes.append(
            f"{archived} archived connector{'s' if archived != 1 else ''} (archived connectors are not exported)"
        )
    for note in notes:
        logger.warning("export: not exported: %s", note)
    ids = {spec.label: str(connector.connector_id) for connector, spec in kept}
    specs = [spec for _, spec in kept]
    sources = derive_variables(specs, ids)
    specs = [dataclasses.replace(spec, secret_sources=mine) for spec, mine in zip(specs, sources, strict=True)]
    return ConnectorsFile(EXPORT_NAME, tuple(specs), ids=ids, notes=tuple(notes))
