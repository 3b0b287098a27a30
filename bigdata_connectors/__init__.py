"""Async Python SDK for the Connectors part of the Bigdata.com Content API.

from bigdata_connectors import BigdataClient

async with BigdataClient() as client:          # BIGDATA_API_KEY from the environment
    for connector in await client.connectors.list():
        print(connector.label, connector.type)
"""

import logging as _logging

from bigdata_connectors._client import BigdataClient
from bigdata_connectors._errors import (
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
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    SyncError,
    SyncFailedError,
    SyncNotSupportedError,
    SyncTimeoutError,
    UnprocessableEntityError,
)
from bigdata_connectors._generated.models import (
    Connector,
    ConnectorCreatePayload,
    ConnectorSyncResponse,
    ConnectorUpdatePayload,
    EmailConnectorConfig,
    EmailConnectorResponseConfig,
    InvestmentResearchConnectorConfig,
    InvestmentResearchConnectorResponseConfig,
    SharepointConnectorConfig,
    SharepointConnectorResponseConfig,
)
from bigdata_connectors._polling import SyncProgress
from bigdata_connectors._version import __version__
from bigdata_connectors.connectors import ConnectorsService, SyncOutcome

# A library logs; the application decides where it goes (and Python's last-resort stderr handler stays out).
_logging.getLogger("bigdata_connectors").addHandler(_logging.NullHandler())

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BigdataClient",
    "BigdataError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "Connector",
    "ConnectorCreatePayload",
    "ConnectorSyncResponse",
    "ConnectorUpdatePayload",
    "ConnectorsService",
    "EmailConnectorConfig",
    "EmailConnectorResponseConfig",
    "InternalServerError",
    "InvestmentResearchConnectorConfig",
    "InvestmentResearchConnectorResponseConfig",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "SharepointConnectorConfig",
    "SharepointConnectorResponseConfig",
    "SyncError",
    "SyncFailedError",
    "SyncNotSupportedError",
    "SyncOutcome",
    "SyncProgress",
    "SyncTimeoutError",
    "UnprocessableEntityError",
    "__version__",
]
