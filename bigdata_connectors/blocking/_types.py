"""The aliases the blocking signatures use, spelt as the async client's, and its defaults read from it.

Defaults are read from the async signatures themselves (``defaults_of``), so a default changed there changes
here too, and the parity test compares the two. Every name a public signature uses exists at runtime (no
``TYPE_CHECKING``-only names): ``typing.get_type_hints`` works on every public callable.
"""

from __future__ import annotations

import enum
import inspect
import os
import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, Literal, TypeAlias
from uuid import UUID

from bigdata_connectors import (
    ActionOutcome,
    ConnectorsService,
    DocumentsSummary,
    EmailConnectorConfig,
    InvestmentResearchConnectorConfig,
    SharepointConnectorConfig,
    SyncProgress,
)

__all__ = [
    "UNSET",
    "Clock",
    "ConnectorId",
    "ConnectorTypeName",
    "CreateConfig",
    "DocumentsProgressCallback",
    "OutcomeCallback",
    "ProgressCallback",
    "SSLOption",
    "Sleep",
    "SortBy",
    "Unset",
    "defaults_of",
]


def defaults_of(function: Callable[..., Any]) -> dict[str, Any]:
    """Parameter name -> default value, for the parameters of ``function`` that have one."""
    return {
        name: parameter.default
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


ConnectorId: TypeAlias = str | UUID
ConnectorTypeName: TypeAlias = Literal["email", "investment_research", "sharepoint"]
CreateConfig: TypeAlias = (
    EmailConnectorConfig | InvestmentResearchConnectorConfig | SharepointConnectorConfig | Mapping[str, Any]
)
SortBy: TypeAlias = Literal["created_at", "updated_at", "file_name", "raw_size", "content_type", "status"]

# Callbacks, plain or async, as for the async client. A plain one runs in the thread that made the call;
# a coroutine function runs on the client's loop thread.
ProgressCallback: TypeAlias = Callable[[SyncProgress], Awaitable[None] | None]
DocumentsProgressCallback: TypeAlias = Callable[[DocumentsSummary], Awaitable[None] | None]
OutcomeCallback: TypeAlias = Callable[[ActionOutcome], Awaitable[None] | None]

# The constructor's: a CA bundle or context; an async sleep and a monotonic clock (seconds), run on the loop thread.
SSLOption: TypeAlias = ssl.SSLContext | str | os.PathLike[str] | None
Sleep: TypeAlias = Callable[[float], Awaitable[None]]
Clock: TypeAlias = Callable[[], float]

# ``update``'s "not given": the async client's own marker (an enum member), so that both defaults are one object.
Unset: TypeAlias = enum.Enum
UNSET: Final[Unset] = defaults_of(ConnectorsService.update)["label"]
