"""The public surface is a promise: pin it."""

from __future__ import annotations

import subprocess
import sys

import pytest

import bigdata_connectors

EXPECTED = {
    "APIConnectionError", "APIError", "APIStatusError", "APITimeoutError", "AuthenticationError", "BadRequestError",
    "BigdataClient", "BigdataError", "ClientClosedError", "ConfigurationError", "ConflictError", "Connector",
    "ConnectorCreatePayload", "ConnectorSyncResponse", "ConnectorUpdatePayload", "ConnectorsService",
    "EmailConnectorConfig", "EmailConnectorResponseConfig", "InternalServerError", "InvestmentResearchConnectorConfig",
    "InvestmentResearchConnectorResponseConfig", "NotFoundError", "PermissionDeniedError", "RateLimitError",
    "ResponseValidationError", "SharepointConnectorConfig", "SharepointConnectorResponseConfig", "SyncError",
    "SyncFailedError", "SyncNotSupportedError", "SyncOutcome", "SyncProgress", "SyncTimeoutError", "SyncToken",
    "UnprocessableEntityError", "__version__",
    "AmbiguousLabelError", "ConnectorsFileError", "CreateOutcomeUnknownError", "EnsureError", "FileProblem",
    "ReplacementRequiredError", "ActionOutcome", "ApplyReport", "ConnectorsFile", "ConnectorSpec", "FieldChange",
    "Plan", "PlanAction",
    # issue 9
    "EventLoopError", "MalformedResponseError", "ResponseTooLargeError", "TransportError",
    "SyncHandle", "ConnectorArchivedError", "Document", "DocumentTag", "DocumentsService", "DocumentsSummary",
    "DocumentsTimeoutError", "SyncReport",
    # issue 10
    "RawResponse", "TLSError",
    # issue 25
    "StalePlanError",
}  # fmt: skip


def test_all_is_exact_and_importable() -> None:
    assert set(bigdata_connectors.__all__) == EXPECTED
    assert len(bigdata_connectors.__all__) == len(EXPECTED)
    for name in EXPECTED:
        assert getattr(bigdata_connectors, name) is not None


def test_error_tree() -> None:
    b = bigdata_connectors
    for name in ("BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError", "ConflictError",
                 "UnprocessableEntityError", "RateLimitError", "InternalServerError"):  # fmt: skip
        assert issubclass(getattr(b, name), b.APIStatusError)
    assert issubclass(b.APITimeoutError, b.APIConnectionError)
    assert issubclass(b.APITimeoutError, TimeoutError)
    assert issubclass(b.SyncTimeoutError, TimeoutError)
    assert all(
        issubclass(getattr(b, n), b.BigdataError)
        for n in EXPECTED
        if n.endswith("Error") and n not in ("BigdataError", "TransportError")
    )
    # Never raised: it stands in as the __cause__ for an aiohttp exception that held request data.
    assert not issubclass(b.TransportError, b.BigdataError)
    assert issubclass(b.MalformedResponseError, b.ResponseValidationError)
    assert issubclass(b.ResponseTooLargeError, b.ResponseValidationError)
    assert issubclass(b.EventLoopError, RuntimeError)


def test_import_does_not_pull_the_testing_package() -> None:
    code = "import sys, bigdata_connectors; print('bigdata_connectors.testing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_exports_are_lazy_and_match_all() -> None:
    """Every public name but ``__version__`` is imported on first use (PEP 562), from the module the map names."""
    lazy = bigdata_connectors._EXPORTS
    assert set(lazy) | {"__version__"} == EXPECTED
    code = "import sys, bigdata_connectors; print(sorted(m for m in ('aiohttp', 'pydantic') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert "BigdataClient" in dir(bigdata_connectors)
    with pytest.raises(AttributeError, match="NoSuchName"):
        bigdata_connectors.NoSuchName  # noqa: B018


def test_a_program_that_reads_loads_only_what_reading_needs() -> None:
    """Start-up (docs/benchmarks.md): the client and the answers' models load neither the request bodies (with
    pydantic's RootModel, which builds a validator at import and so loads pydantic's plugin machinery), nor the
    sync machinery, nor connectors as code; each arrives with the first call that needs it."""
    deferred = (
        "bigdata_connectors._generated.request_models",
        "pydantic.root_model",
        "importlib.metadata",
        "bigdata_connectors._syncs.handle",
        "bigdata_connectors._syncs.start",
        "bigdata_connectors._syncs.many",
        "bigdata_connectors._syncs.progress",
        "bigdata_connectors._syncs.token",
        "bigdata_connectors._as_code.ensure",
        "bigdata_connectors._as_code.plan",
        "tenacity",
    )
    code = (
        "import sys\nfrom bigdata_connectors import BigdataClient, Connector\n"
        f"print(sorted(m for m in {deferred!r} if m in sys.modules))\n"
        "from bigdata_connectors import ConnectorCreatePayload, SyncHandle\n"
        f"print(sorted(m for m in {deferred[:4]!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    reading, later = out.splitlines()
    assert reading == "[]"
    assert later == str(sorted(deferred[:4]))  # and the public names still bring them in
