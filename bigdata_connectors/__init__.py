"""Async Python SDK for the Connectors part of the Bigdata.com Content API.

from bigdata_connectors import BigdataClient

async with BigdataClient() as client:          # BIGDATA_API_KEY from the environment
    for connector in await client.connectors.list():
        print(connector.label, connector.type)
"""

import logging as _logging
from typing import TYPE_CHECKING as _TYPE_CHECKING

from bigdata_connectors._lazy import lazy_names as _lazy_names
from bigdata_connectors._version import __version__

if _TYPE_CHECKING:
    from bigdata_connectors._as_code.actions import PlanAction
    from bigdata_connectors._as_code.apply import ActionOutcome, ApplyReport
    from bigdata_connectors._as_code.basis import StalePlanError
    from bigdata_connectors._as_code.desired import ConnectorSpec, FieldChange
    from bigdata_connectors._as_code.file import ConnectorsFile
    from bigdata_connectors._as_code.plan import Plan
    from bigdata_connectors._client import BigdataClient
    from bigdata_connectors._errors import (
        AmbiguousLabelError,
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        BigdataError,
        ClientClosedError,
        ConfigurationError,
        ConflictError,
        ConnectorArchivedError,
        ConnectorsFileError,
        CreateOutcomeUnknownError,
        DocumentsTimeoutError,
        EnsureError,
        EventLoopError,
        FileProblem,
        InternalServerError,
        MalformedResponseError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ReplacementRequiredError,
        ResponseTooLargeError,
        ResponseValidationError,
        SyncError,
        SyncFailedError,
        SyncNotSupportedError,
        SyncTimeoutError,
        TLSError,
        TransportError,
        UnprocessableEntityError,
    )
    from bigdata_connectors._generated.models import (
        Connector,
        ConnectorSyncResponse,
        Document,
        DocumentTag,
        EmailConnectorResponseConfig,
        InvestmentResearchConnectorResponseConfig,
        SharepointConnectorResponseConfig,
    )
    from bigdata_connectors._generated.request_models import (
        ConnectorCreatePayload,
        ConnectorUpdatePayload,
        EmailConnectorConfig,
        InvestmentResearchConnectorConfig,
        SharepointConnectorConfig,
    )
    from bigdata_connectors._syncs.documents import SyncReport
    from bigdata_connectors._syncs.handle import SyncHandle
    from bigdata_connectors._syncs.many import SyncOutcome
    from bigdata_connectors._syncs.progress import SyncProgress
    from bigdata_connectors._syncs.token import SyncToken
    from bigdata_connectors._transport.raw import RawResponse
    from bigdata_connectors._types import DocumentsSummary
    from bigdata_connectors.connectors import ConnectorsService
    from bigdata_connectors.documents import DocumentsService

# Public name -> the private module defining it. Imported on first access (PEP 562, see _lazy), not by
# `import bigdata_connectors`: an adapter's entry point (`bigdata-connectors --help`) or a DAG file
# that only imports the package must not pay for aiohttp and the models. Keep in step with __all__
# (the public-API test checks both).
_EXPORTS: dict[str, str] = {
    "BigdataClient": "bigdata_connectors._client",
    "APIConnectionError": "bigdata_connectors._errors",
    "APIError": "bigdata_connectors._errors",
    "APIStatusError": "bigdata_connectors._errors",
    "APITimeoutError": "bigdata_connectors._errors",
    "AuthenticationError": "bigdata_connectors._errors",
    "BadRequestError": "bigdata_connectors._errors",
    "BigdataError": "bigdata_connectors._errors",
    "ClientClosedError": "bigdata_connectors._errors",
    "ConfigurationError": "bigdata_connectors._errors",
    "ConflictError": "bigdata_connectors._errors",
    "InternalServerError": "bigdata_connectors._errors",
    "NotFoundError": "bigdata_connectors._errors",
    "PermissionDeniedError": "bigdata_connectors._errors",
    "RateLimitError": "bigdata_connectors._errors",
    "ResponseValidationError": "bigdata_connectors._errors",
    "SyncError": "bigdata_connectors._errors",
    "SyncFailedError": "bigdata_connectors._errors",
    "SyncNotSupportedError": "bigdata_connectors._errors",
    "SyncTimeoutError": "bigdata_connectors._errors",
    "UnprocessableEntityError": "bigdata_connectors._errors",
    "TransportError": "bigdata_connectors._errors",
    "ResponseTooLargeError": "bigdata_connectors._errors",
    "MalformedResponseError": "bigdata_connectors._errors",
    "EventLoopError": "bigdata_connectors._errors",
    "Connector": "bigdata_connectors._generated.models",
    "ConnectorCreatePayload": "bigdata_connectors._generated.request_models",
    "ConnectorSyncResponse": "bigdata_connectors._generated.models",
    "ConnectorUpdatePayload": "bigdata_connectors._generated.request_models",
    "EmailConnectorConfig": "bigdata_connectors._generated.request_models",
    "EmailConnectorResponseConfig": "bigdata_connectors._generated.models",
    "InvestmentResearchConnectorConfig": "bigdata_connectors._generated.request_models",
    "InvestmentResearchConnectorResponseConfig": "bigdata_connectors._generated.models",
    "SharepointConnectorConfig": "bigdata_connectors._generated.request_models",
    "SharepointConnectorResponseConfig": "bigdata_connectors._generated.models",
    "SyncProgress": "bigdata_connectors._syncs.progress",
    "ConnectorsService": "bigdata_connectors.connectors",
    "SyncOutcome": "bigdata_connectors._syncs.many",
    # handed-over syncs and documents (issue 11)
    "SyncHandle": "bigdata_connectors._syncs.handle",
    "SyncToken": "bigdata_connectors._syncs.token",
    "ConnectorArchivedError": "bigdata_connectors._errors",
    "DocumentsTimeoutError": "bigdata_connectors._errors",
    "Document": "bigdata_connectors._generated.models",
    "DocumentTag": "bigdata_connectors._generated.models",
    "DocumentsService": "bigdata_connectors.documents",
    "DocumentsSummary": "bigdata_connectors._types",
    "SyncReport": "bigdata_connectors._syncs.documents",
    # connectors as code (issue 13)
    "AmbiguousLabelError": "bigdata_connectors._errors",
    "ConnectorsFileError": "bigdata_connectors._errors",
    "CreateOutcomeUnknownError": "bigdata_connectors._errors",
    "EnsureError": "bigdata_connectors._errors",
    "FileProblem": "bigdata_connectors._errors",
    "ReplacementRequiredError": "bigdata_connectors._errors",
    "ActionOutcome": "bigdata_connectors._as_code.apply",
    "ApplyReport": "bigdata_connectors._as_code.apply",
    "ConnectorsFile": "bigdata_connectors._as_code.file",
    "ConnectorSpec": "bigdata_connectors._as_code.desired",
    "FieldChange": "bigdata_connectors._as_code.desired",
    "Plan": "bigdata_connectors._as_code.plan",
    "PlanAction": "bigdata_connectors._as_code.actions",
    "StalePlanError": "bigdata_connectors._as_code.basis",
    # networks and observability (issue 10)
    "RawResponse": "bigdata_connectors._transport.raw",
    "TLSError": "bigdata_connectors._errors",
}

# A library logs; the application decides where it goes (and Python's last-resort stderr handler stays out).
_logging.getLogger("bigdata_connectors").addHandler(_logging.NullHandler())

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    # connectors as code (issue 13)
    "ActionOutcome",
    "AmbiguousLabelError",
    "ApplyReport",
    "AuthenticationError",
    "BadRequestError",
    "BigdataClient",
    "BigdataError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "Connector",
    "ConnectorArchivedError",
    "ConnectorCreatePayload",
    "ConnectorSpec",
    "ConnectorSyncResponse",
    "ConnectorUpdatePayload",
    "ConnectorsFile",
    "ConnectorsFileError",
    "ConnectorsService",
    "CreateOutcomeUnknownError",
    "Document",
    "DocumentTag",
    "DocumentsService",
    "DocumentsSummary",
    "DocumentsTimeoutError",
    "EmailConnectorConfig",
    "EmailConnectorResponseConfig",
    "EnsureError",
    "EventLoopError",
    "FieldChange",
    "FileProblem",
    "InternalServerError",
    "InvestmentResearchConnectorConfig",
    "InvestmentResearchConnectorResponseConfig",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "Plan",
    "PlanAction",
    "RateLimitError",
    "RawResponse",
    "ReplacementRequiredError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SharepointConnectorConfig",
    "SharepointConnectorResponseConfig",
    "StalePlanError",
    "SyncError",
    "SyncFailedError",
    "SyncHandle",
    "SyncNotSupportedError",
    "SyncOutcome",
    "SyncProgress",
    "SyncReport",
    "SyncTimeoutError",
    "SyncToken",
    "TLSError",
    "TransportError",
    "UnprocessableEntityError",
    "__version__",
]


__getattr__ = _lazy_names(__name__, _EXPORTS)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
