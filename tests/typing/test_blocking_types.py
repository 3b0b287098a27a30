"""What mypy --strict sees of the blocking client: each ``assert_type`` is checked by ``make lint`` (mypy covers
``tests``), and a wrong call is an error mypy must report (its ``type: ignore`` would otherwise be unused, which
strict mode flags). The same code runs as a test against the emulator, so the types and the values agree."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import assert_type
from uuid import UUID

import pytest

from bigdata_connectors import (
    ApplyReport,
    ConfigurationError,
    Connector,
    ConnectorsFile,
    ConnectorSyncResponse,
    Document,
    DocumentsSummary,
    Plan,
    RawResponse,
    SyncOutcome,
    SyncProgress,
    SyncReport,
)
from bigdata_connectors.blocking import BigdataClient, SyncHandle
from tests.blocking.support import INVESTMENT, ThreadedEmulator
from tests.conftest import API_KEY


def test_the_six_operations_and_raw_responses(client: BigdataClient) -> None:
    made = client.connectors.create(type="email", label="typed", config=None)
    assert_type(made, Connector)
    assert_type(client.connectors.list(), list[Connector])
    assert_type(client.connectors.get(made.connector_id), Connector)
    assert_type(client.connectors.update(made.connector_id, label="retyped"), Connector)
    assert_type(client.connectors.with_raw_response.list(), RawResponse[list[Connector]])
    raw = client.connectors.with_raw_response.get(str(made.connector_id))
    assert_type(raw, RawResponse[Connector])
    assert_type(raw.parse(), Connector)
    assert isinstance(raw.parse(), Connector)
    assert_type(client.connectors.delete(made.connector_id), Connector | None)
    assert_type(
        client.connectors.with_raw_response.delete(made.connector_id, force=True), RawResponse[Connector | None]
    )
    broker = client.connectors.create(type="investment_research", label="broker", config=INVESTMENT)
    assert_type(client.connectors.trigger_sync(broker.connector_id, date_limit="2026-01-01"), ConnectorSyncResponse)
    with pytest.raises(ValueError, match="UUID"):
        client.connectors.get(42)  # type: ignore[arg-type]
    with pytest.raises(pydantic_error()):
        client.connectors.create(type="fax", label="x", config=None)  # type: ignore[arg-type]


def pydantic_error() -> type[Exception]:
    import pydantic

    return pydantic.ValidationError


def test_syncs_handles_and_their_overloads(client: BigdataClient, emulator: ThreadedEmulator) -> None:
    emulator.emulator.sync_items = 1
    broker = client.connectors.create(type="investment_research", label="broker", config=INVESTMENT)
    cid = broker.connector_id
    assert_type(client.connectors.sync_and_wait(cid, date_limit="2026-01-01", poll_interval=0.05), Connector)
    report = client.connectors.sync_and_wait(cid, date_limit="2026-01-01", poll_interval=0.05, wait_for_documents=True)
    assert_type(report, SyncReport)
    assert isinstance(report, SyncReport)
    chosen: bool = False
    either = client.connectors.sync_and_wait(
        cid, date_limit="2026-01-01", poll_interval=0.05, wait_for_documents=chosen
    )
    assert_type(either, Connector | SyncReport)
    handle = client.connectors.start_sync(cid, date_limit="2026-01-01")
    assert_type(handle, SyncHandle)
    assert_type(handle.connector_id, UUID)
    assert_type(handle.baseline, datetime | None)
    assert_type(handle.started_at, datetime)
    assert_type(handle.deadline, datetime | None)
    assert_type(handle.token(), str)
    assert_type(handle.poll(), SyncProgress)
    assert_type(handle.wait(poll_interval=0.05), Connector)
    assert_type(handle.wait(poll_interval=0.05, documents=True, documents_settle=0.5), SyncReport)
    assert_type(handle.wait(poll_interval=0.05, documents=chosen), Connector | SyncReport)
    assert_type(handle.documents(), Iterator[Document])
    assert_type(client.connectors.resume_sync(handle.token()), SyncHandle)
    assert_type(client.connectors.attach_sync(cid), SyncHandle)
    assert_type(client.connectors.wait_for_sync(cid, poll_interval=0.05), Connector)
    assert_type(client.connectors.sync_many([cid], date_limit="2026-01-01", poll_interval=0.05), Sequence[SyncOutcome])

    def on_progress(progress: SyncProgress) -> None: ...

    def on_documents(summary: DocumentsSummary) -> None: ...

    def takes_nothing() -> None: ...

    client.connectors.sync_and_wait(
        cid, date_limit="2026-01-01", poll_interval=0.05, on_progress=on_progress, on_documents_progress=on_documents
    )
    with pytest.raises(TypeError):
        client.connectors.sync_and_wait(cid, date_limit="2026-01-01", on_progress=takes_nothing)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        handle.wait(timeout="soon")  # type: ignore[call-overload]


def test_documents_connectors_as_code_and_the_client(client: BigdataClient, emulator: ThreadedEmulator) -> None:
    documents = client.documents.list(page_size=10)
    assert_type(documents, Iterator[Document])
    for document in documents:
        assert_type(document, Document)
        assert_type(client.documents.get(document.id), Document)
        assert_type(client.documents.with_raw_response.get(document.id), RawResponse[Document])
    plan = client.connectors.plan(ConnectorsFile.parse("version: 1\nconnectors:\n  - {type: email, label: x}\n"))
    assert_type(plan, Plan)
    assert_type(client.connectors.apply(plan), ApplyReport)
    assert_type(client.connectors.ensure(type="email", label="x", config=None), Connector)
    assert_type(client.with_options(timeout=5), BigdataClient)
    assert_type(client.base_url, str)
    assert_type(client.closed, bool)
    with BigdataClient(API_KEY, base_url=emulator.base_url) as other:
        assert_type(other, BigdataClient)
        assert_type(other.close(), None)
    with pytest.raises(ConfigurationError, match="timeout"):
        BigdataClient(API_KEY, base_url=emulator.base_url, timeout="30")  # type: ignore[arg-type]
