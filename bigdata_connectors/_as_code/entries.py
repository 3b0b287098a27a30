"""The connectors-as-code methods of ``client.connectors``: the wing's front door.

``ConnectorsService`` inherits ``AsCodeEntries``. Each method checks its arguments here, then hands over to the
wing's machinery, which its package (``_as_code``) loads on the first call (PyYAML only when a file is read). The
wing sends through the service's own operations (create's checks, update's merge stay in one place): ``self`` is
the ``ConnectorsService`` this class is part of.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from bigdata_connectors import _as_code, _generated
from bigdata_connectors._checks import duration
from bigdata_connectors._config import DEFAULT_CONSISTENCY_TIMEOUT
from bigdata_connectors._generated.models import Connector
from bigdata_connectors._transport import HTTPTransport
from bigdata_connectors._types import ConnectorTypeName

if TYPE_CHECKING:
    from bigdata_connectors._as_code.ensure import Operations

__all__ = ["AsCodeEntries"]


class AsCodeEntries:
    """``ensure``, ``plan``, ``export``, ``apply`` (and what they remember per client)."""

    _http: HTTPTransport
    _ensure_memory: _as_code.Memory | None = None

    def _operations(self) -> Operations:
        # ConnectorsService, which inherits this class, has the operations (list, get, create, update, delete).
        return cast("Operations", self)

    async def ensure(
        self,
        *,
        type: ConnectorTypeName,
        label: str,
        config: _generated.request_models.EmailConnectorConfig
        | _generated.request_models.InvestmentResearchConnectorConfig
        | _generated.request_models.SharepointConnectorConfig
        | Mapping[str, Any]
        | None,
        description: str | None = None,
        share_with_org: bool = False,
        consistency_timeout: float = DEFAULT_CONSISTENCY_TIMEOUT,
    ) -> Connector:
        """Make sure exactly one live connector of ``type`` is labelled ``label``, in this state; return it.

        The arguments are the whole declared state, as for ``create`` (``description=None`` means empty).
        Sends ``GET /contents/v1/connectors``, then: if one live (not archived) connector has the label and
        type, ``update`` with only what differs (nothing is sent when nothing does); if none,
        ``POST /contents/v1/connectors``. After an ambiguous create failure (5xx, dropped connection,
        timeout) the label is looked up again for at least ``consistency_timeout`` seconds (the list is
        eventually consistent); the connector is returned if it appeared, and created again (up to 3 creates)
        only if every lookup until then succeeded without it. Every error leaves calling ``ensure`` again safe.
        Calls of one client for one label and type run one at a time, and a connector this client made is
        found by id (``GET``) while the list does not show it yet.

        Raises ValueError (config does not fit type, or ``consistency_timeout`` is not a number of seconds from 0 to
        100 years; nothing sent), TypeError (``consistency_timeout`` not a number), AmbiguousLabelError (several carry the
        label; nothing changed), ReplacementRequiredError (a different broker user_id: credentials are fixed
        at creation; nothing changed), CreateOutcomeUnknownError (the answer was lost and the lookups failed),
        and the API errors of ``list``, ``create`` and ``update``.
        """
        spec = _as_code.ConnectorSpec.from_create_args(
            type=type, label=label, config=config, description=description, share_with_org=share_with_org
        )
        duration("consistency_timeout", consistency_timeout, zero=True)
        http = self._http
        return await _as_code.ensure_connector(
            self._operations(),
            spec,
            clock=http.clock,
            sleep=http.sleep,
            consistency_timeout=consistency_timeout,
            memory=self._memory(),
        )

    async def plan(
        self,
        source: _as_code.ConnectorsFile | str | os.PathLike[str],
        *,
        prune: bool = False,
        replace: Iterable[str] = (),
        environ: Mapping[str, str] | None = None,
    ) -> _as_code.Plan:
        """What it takes to bring the account to a connectors file; changes nothing.

        ``source`` is a path or a ``ConnectorsFile`` (``ConnectorsFile.parse(text)`` for text); its
        ``*_env`` secrets come from ``environ`` (default ``os.environ``). Loads and validates the file
        first (nothing is sent if it is invalid), then sends ``GET /contents/v1/connectors``. ``prune``
        plans archiving every live connector the file does not declare; ``replace`` lists labels to
        replace even though nothing visible differs (e.g. a rotated broker password, which the API never
        returns). Returns a Plan: ``print(plan)`` shows the diff, ``plan.to_json()`` the same as data.

        Raises ConnectorsFileError (invalid file, or a variable not set: ``missing_variables``), ImportError
        (PyYAML missing: ``pip install 'bigdata-connectors[yaml]'``), ValueError (``replace`` names an undeclared
        label), AmbiguousLabelError, and the errors of ``list``.
        """
        files = _as_code.ConnectorsFile
        if isinstance(source, files):
            declared = _as_code.resolve_secrets(source, environ)  # an exported file names its secrets only
        else:
            declared = files.read(source, environ=environ)
        replace = [replace] if isinstance(replace, str) else builtins.list(replace)  # one label, not its letters
        return _as_code.make_plan(declared, await self._operations().list(), prune=prune, replace=replace)

    async def export(
        self, *, label: str | Iterable[str] | None = None, type: ConnectorTypeName | None = None
    ) -> _as_code.ConnectorsFile:
        """The account's live connectors as a connectors file, to adopt what already exists; changes nothing.

        Sends ``GET /contents/v1/connectors``. ``label`` is a glob (``"Broker *"``, case-sensitive) or several
        (a connector is exported if its label matches any); ``type`` keeps one type. ``to_yaml()`` of the result
        is the file (stable order, a comment naming each connector's id); secrets, which the API never returns,
        appear only as ``password_env:`` / ``session_id_env:`` with a variable name derived from the label
        (``BIGDATA_BROKER_RESEARCH_PASSWORD``; ``.variables`` lists them, as does the file's header). With those
        set, ``plan`` of the file reports no changes. Not exported, each with a note (``.notes``): archived
        connectors, connectors of a type this SDK does not know, and several live connectors sharing a label.

        Raises ValueError (an unknown ``type``; nothing sent), and the errors of ``list``.
        """
        if type is not None and type not in ("email", "investment_research", "sharepoint"):
            raise ValueError("type must be one of email, investment_research, sharepoint")
        patterns = [label] if isinstance(label, str) else builtins.list(label or ())  # one glob, not its letters
        return _as_code.export_file(await self._operations().list(), labels=patterns, type=type)

    async def apply(
        self,
        plan: _as_code.Plan,
        *,
        on_outcome: _as_code.OutcomeCallback | None = None,
        consistency_timeout: float = DEFAULT_CONSISTENCY_TIMEOUT,
    ) -> _as_code.ApplyReport:
        """Carry out ``plan``: creates, updates, replacements (archive the old, then create), then archives;
        each through ``ensure`` (so applying the same plan twice changes nothing the second time). Archives
        are skipped if an earlier action failed. ``on_outcome`` (plain or async) gets each ActionOutcome as
        it ends. ``consistency_timeout`` (seconds) as for ``ensure``.

        A saved plan (``Plan.load``) is applied exactly, or not at all: the account is read first
        (``GET /contents/v1/connectors``) and, if any connector the plan covers changed since it was made (an
        edit, an archive, a connector added under a planned label or one ``prune`` would now archive),
        StalePlanError is raised before any change. Then its actions run as above.

        Returns an ApplyReport (``report.ok``; ``print(report)``); an action's API or ensure error is in
        its outcome, not raised. Sends the requests of ``ensure`` and ``delete``; none for an unchanged plan
        made in this process (one ``GET`` for a saved one).

        Raises ValueError or TypeError (``consistency_timeout`` as for ``ensure``; nothing sent), StalePlanError (a
        saved plan gone stale; nothing changed), and for a saved plan the errors of ``list``.
        """
        duration("consistency_timeout", consistency_timeout, zero=True)
        http = self._http
        return await _as_code.apply_plan(
            self._operations(),
            plan,
            clock=http.clock,
            sleep=http.sleep,
            consistency_timeout=consistency_timeout,
            on_outcome=on_outcome,
            memory=self._memory(),
        )

    def _memory(self) -> _as_code.Memory:
        """What ``ensure`` remembers for this client (created on first use)."""
        if self._ensure_memory is None:
            self._ensure_memory = _as_code.Memory()
        return self._ensure_memory
