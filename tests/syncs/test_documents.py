"""client.documents (list across pages, get), and what a sync brought in: handle.documents(), wait(documents=True)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from aioresponses import aioresponses as AioResponses
from yarl import URL

from bigdata_connectors import (
    BigdataClient,
    Connector,
    Document,
    DocumentsSummary,
    DocumentsTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    SyncReport,
    SyncTimeoutError,
)
from bigdata_connectors._syncs.documents import wait_for_documents
from bigdata_connectors.testing import Emulator
from tests.conftest import BASE, CID, CONNECTORS, FakeTime, connector_json

DOCS = f"{BASE}/contents/v1/documents"
HEX = "7FA511999C3984CB75005890B15A7096"
ONE = f"{CONNECTORS}/{CID}"
SYNC = f"{ONE}/sync"
FAST: dict[str, Any] = {"poll_interval": 0.02, "max_poll_interval": 0.05}


def doc(n: int, status: str = "completed", created: str = "2026-04-07T10:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"id": f"{n:032X}", "file_name": f"f{n}.pdf", "status": status, "created_at": created, **extra}


def page_url(page: int, size: int = 100, **query: str) -> str:
    return str(URL(DOCS).with_query({**query, "page": str(page), "page_size": str(size)}))


def sent(mock_api: AioResponses) -> list[URL]:
    return [url for (method, url) in mock_api.requests if method == "GET" and url.path.endswith("/documents")]


# ---------------------------------------------------------------- client.documents


async def test_list_walks_every_page_until_a_short_one(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(page_url(1, connector=CID), payload={"results": [doc(n) for n in range(100)]})
    mock_api.get(page_url(2, connector=CID), payload={"results": [doc(n) for n in range(100, 200)]})
    mock_api.get(page_url(3, connector=CID), payload={"results": [doc(n) for n in range(200, 237)]})
    got = [d async for d in client.documents.list(connector=CID)]
    assert len(got) == 237
    assert len({d.id for d in got}) == 237
    assert [u.query["page"] for u in sent(mock_api)] == ["1", "2", "3"]


async def test_a_full_last_page_costs_one_empty_page(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(page_url(1, 2), payload={"results": [doc(1), doc(2)]})
    mock_api.get(page_url(2, 2), payload={"results": []})
    assert [d.id async for d in client.documents.list(page_size=2)] == [doc(1)["id"], doc(2)["id"]]


async def test_a_document_moving_between_pages_is_yielded_once(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(page_url(1, 2), payload={"results": [doc(1), doc(2)]})
    mock_api.get(page_url(2, 2), payload={"results": [doc(2)]})  # shifted by a deletion in between
    assert [d.id async for d in client.documents.list(page_size=2)] == [doc(1)["id"], doc(2)["id"]]


async def test_filters_are_sent_as_documented(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(page_url(1, 100), payload={"results": []}, repeat=False)
    query = {
        "connector": CID,
        "from_date": "2026-04-07T09:00:00Z",
        "origin": "email",
        "file_name": "report",
        "sort_by": "file_name",
        "sort_order": "asc",
    }
    url = str(URL(DOCS).with_query([*query.items(), ("tags", "a"), ("tags", "b"), ("page", "1"), ("page_size", "100")]))
    mock_api.get(url, payload={"results": [doc(1)]})
    got = [
        d
        async for d in client.documents.list(
            connector=UUID(CID),
            from_date=datetime(2026, 4, 7, 11, 0, tzinfo=UTC) - timedelta(hours=2),
            origin="email",
            file_name="report",
            tags=["a", "b"],
            sort_by="file_name",
            sort_order="asc",
        )
    ]
    assert len(got) == 1
    [url_sent] = sent(mock_api)
    assert url_sent.query.getall("tags") == ["a", "b"]


async def test_status_is_filtered_on_each_page(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(page_url(1), payload={"results": [doc(1, "failed"), doc(2), doc(3, "processing")]})
    assert [d.id async for d in client.documents.list(status="failed")] == [doc(1)["id"]]
    mock_api.get(page_url(1), payload={"results": [doc(1, "failed"), doc(2), doc(3, "processing")]})
    assert len([d async for d in client.documents.list(status={"failed", "processing"})]) == 2


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"page_size": 0}, ValueError),
        ({"page_size": 101}, ValueError),
        ({"page_size": True}, ValueError),
        ({"connector": "nope"}, ValueError),
        ({"from_date": "yesterday"}, ValueError),
        ({"from_date": datetime(2026, 1, 1)}, ValueError),
        ({"from_date": 20260101}, TypeError),
        ({"tags": "one"}, TypeError),
        ({"status": []}, ValueError),
    ],
)
async def test_bad_list_arguments_fail_before_sending(
    client: BigdataClient, mock_api: AioResponses, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        client.documents.list(**kwargs)
    assert not mock_api.requests


@pytest.mark.parametrize("bad", [CID, HEX[:-1], HEX + "0", "Z" * 32, "", f" {HEX}"])
async def test_get_validates_content_ids_before_sending(
    client: BigdataClient, mock_api: AioResponses, bad: str
) -> None:
    with pytest.raises(ValueError, match="32 hexadecimal"):
        await client.documents.get(bad)
    with pytest.raises(TypeError):
        await client.documents.get(UUID(CID))  # type: ignore[arg-type]
    assert not mock_api.requests


async def test_get_and_its_errors(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(f"{DOCS}/{HEX}", payload=doc(0, id=HEX, raw_size=654, tags=[{"id": "t", "name": "Research"}]))
    got = await client.documents.get(HEX.lower())
    assert isinstance(got, Document)
    assert got.id == HEX
    assert got.raw_size == 654
    mock_api.get(f"{DOCS}/{HEX}", status=403, payload={"message": "not shared"})
    with pytest.raises(PermissionDeniedError):
        await client.documents.get(HEX)
    mock_api.get(f"{DOCS}/{HEX}", status=404, payload={"message": "Document not found"})
    with pytest.raises(NotFoundError):
        await client.documents.get(HEX)


def test_document_model_tolerates_new_statuses_and_fields() -> None:
    d = Document.model_validate(doc(1, "quarantined", brand_new={"x": 1}, file_name=None, tags=None))
    assert d.status == "quarantined"
    assert d.model_extra == {"brand_new": {"x": 1}}


# ---------------------------------------------------------------- the completeness rule, on a fake clock


def _docs(*statuses: str, created: datetime) -> list[Document]:
    return [Document.model_validate(doc(n, s, created.isoformat())) for n, s in enumerate(statuses)]


async def _run_rule(
    rounds: list[list[Document]],
    fake_time: FakeTime,
    *,
    expected: int | None,
    settle: float = 10.0,
    timeout: float = 600,
    on_progress: Any = None,
) -> SyncReport:
    connector = connector_json(type="investment_research", last_sync_count=expected)
    seen = iter(rounds)
    last: list[Document] = []

    async def listing(deadline: float | None) -> AsyncIterator[Document]:
        nonlocal last
        last = next(seen, last)
        for d in last:
            yield d

    return await wait_for_documents(
        listing,
        connector=Connector.model_validate(connector),
        started_at=STARTED,
        start=fake_time.now,
        deadline=fake_time.now + timeout,
        poll_interval=1.0,
        max_poll_interval=2.0,
        settle=settle,
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        on_progress=on_progress,
    )


STARTED = datetime(2026, 4, 7, 10, 0, tzinfo=UTC)


async def test_rule_count_reached_and_all_terminal(fake_time: FakeTime) -> None:
    t = STARTED + timedelta(seconds=1)
    rounds = [
        _docs("pending", created=t),
        _docs("completed", "processing", created=t),
        _docs("completed", "failed", created=t),
    ]
    report = await _run_rule(rounds, fake_time, expected=2)
    assert len(report.documents.completed) == 1
    assert report.documents.failed_names == ["f1.pdf"]
    assert len(fake_time.sleeps) == 2  # returned on the third round, no settling needed


async def test_rule_waits_for_late_documents_until_the_count(fake_time: FakeTime) -> None:
    t = STARTED + timedelta(seconds=1)
    rounds = [_docs("completed", created=t)] * 20 + [_docs("completed", "completed", created=t)]
    report = await _run_rule(rounds, fake_time, expected=2, settle=1000)
    assert report.documents.total == 2


async def test_rule_without_a_count_needs_a_stable_set_over_settle(fake_time: FakeTime) -> None:
    t = STARTED + timedelta(seconds=1)
    rounds = [_docs("completed", created=t), _docs("completed", "completed", created=t)]
    report = await _run_rule(rounds, fake_time, expected=None, settle=10)
    assert report.documents.total == 2
    after_change = fake_time.sleeps[1:]  # the set changed on the second round
    assert 10 <= sum(after_change) <= 10 + 2 * 1.1  # a whole settle window, then at most one more poll


async def test_rule_reports_every_poll_to_the_progress_callback(fake_time: FakeTime) -> None:
    t = STARTED + timedelta(seconds=1)
    rounds = [
        _docs("processing", created=t),
        _docs("completed", "pending", created=t),
        _docs("completed", "failed", "completed", created=t),
    ]
    seen: list[DocumentsSummary] = []
    report = await _run_rule(rounds, fake_time, expected=3, on_progress=seen.append)
    assert [(len(s.completed), len(s.failed), len(s.processing)) for s in seen] == [(0, 0, 1), (1, 0, 1), (2, 1, 0)]
    assert seen[-1] == report.documents  # the last call is the summary returned


async def test_rule_ignores_documents_older_than_the_sync(fake_time: FakeTime) -> None:
    old = _docs("processing", created=STARTED - timedelta(seconds=1))
    report = await _run_rule([old], fake_time, expected=0)
    assert report.documents.total == 0


async def test_rule_times_out_with_the_summary(fake_time: FakeTime) -> None:
    t = STARTED + timedelta(seconds=1)
    with pytest.raises(DocumentsTimeoutError) as caught:
        await _run_rule([_docs("completed", "processing", created=t)], fake_time, expected=2, timeout=30)
    assert isinstance(caught.value, SyncTimeoutError)
    summary = caught.value.documents
    assert isinstance(summary, DocumentsSummary)
    assert (len(summary.completed), len(summary.processing)) == (1, 1)
    assert "1 still processing" in str(caught.value)
    assert sum(fake_time.sleeps) <= 30 + 1e-9


# ---------------------------------------------------------------- against the emulator


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(seed=5, sync_duration=0.2, force_delete_delay=0.05) as emulator:
        emulator.document_lag = 0.3
        emulator.document_processing = 0.4
        yield emulator


async def test_wait_for_documents_with_lag_paging_and_failures(emu: Emulator) -> None:
    emu.sync_items = 130
    cid = emu.preload(1)[0]
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        first = await api.connectors.sync_and_wait(cid, date_limit="2026-01-01", wait_for_documents=True, **FAST)
        assert first.documents.total == 130
        emu.sync_items = 150
        emu.fail_next_documents(3)
        report = await api.connectors.sync_and_wait(
            cid, date_limit=date(2026, 1, 1), wait_for_documents=True, timeout=30, **FAST
        )
        assert isinstance(report, SyncReport)
        assert report.connector.last_sync_count == 150
        assert (len(report.documents.completed), len(report.documents.failed)) == (147, 3)
        assert report.documents.processing == ()
        assert len(report.documents.failed_names) == 3
        assert "3 failed" in str(report.documents)
        # Only the second sync's documents, and all of them processed when it returned.
        everything = [d async for d in api.documents.list(connector=cid)]
        assert len(everything) == 280
        assert {d.status for d in everything} <= {"completed", "failed"}
    assert emu.requests["list_documents"] >= 4  # more than one page per round


async def test_documents_progress_through_sync_and_wait_and_handle_wait(emu: Emulator) -> None:
    emu.sync_items = 6
    cid = emu.preload(1)[0]
    plain: list[DocumentsSummary] = []
    awaited: list[DocumentsSummary] = []

    async def slow_listener(summary: DocumentsSummary) -> None:
        await asyncio.sleep(0)
        awaited.append(summary)

    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        report = await api.connectors.sync_and_wait(
            cid, date_limit="2026-01-01", wait_for_documents=True, on_documents_progress=plain.append, **FAST
        )
        handle = await api.connectors.start_sync(cid, date_limit="2026-01-01", timeout=30)
        again = await handle.wait(documents=True, on_documents_progress=slow_listener, **FAST)
    for summaries, final in ((plain, report), (awaited, again)):
        assert len(summaries) >= 2  # lag and processing time: at least one poll before the set is done
        assert summaries[-1] == final.documents
        assert [s.total for s in summaries] == sorted(s.total for s in summaries)  # documents only arrive
        assert any(s.processing or s.total < 6 for s in summaries[:-1])


async def test_handle_documents_are_those_of_this_sync(emu: Emulator) -> None:
    emu.sync_items = 5
    cid = emu.preload(1)[0]
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        await api.connectors.sync_and_wait(cid, date_limit="2026-01-01", wait_for_documents=True, **FAST)
        emu.sync_items = 7
        handle = await api.connectors.start_sync(cid, date_limit="2026-01-01", timeout=30)
        report = await handle.wait(documents=True, **FAST)
        mine = [d async for d in handle.documents()]
        assert len(mine) == 7
        assert {d.id for d in mine} == {d.id for d in report.documents.completed}
        resumed = api.connectors.resume_sync(handle.token())
        assert len([d async for d in resumed.documents(page_size=3)]) == 7


async def test_emulator_get_404_403_and_force_delete(emu: Emulator) -> None:
    emu.sync_items = 3
    cid = emu.preload(1)[0]
    foreign = emu.add_foreign_document()
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        report = await api.connectors.sync_and_wait(cid, date_limit="2026-01-01", wait_for_documents=True, **FAST)
        one = report.documents.completed[0]
        assert (await api.documents.get(one.id)).file_name == one.file_name
        with pytest.raises(NotFoundError):
            await api.documents.get("0" * 32)
        with pytest.raises(PermissionDeniedError):
            await api.documents.get(foreign)
        assert foreign not in {d.id async for d in api.documents.list()}
        await api.connectors.delete(cid, force=True)
        await asyncio.sleep(0.1)
        with pytest.raises(NotFoundError):
            await api.connectors.get(cid)
        assert [d async for d in api.documents.list(connector=cid)] == []
        with pytest.raises(NotFoundError):
            await api.documents.get(one.id)


async def test_the_emulator_delivers_mail_to_an_email_connector(emu: Emulator) -> None:
    """``Emulator.receive_email``: mail arriving in an inbox becomes documents, listed after the lag and processed
    like a sync's (email connectors have no sync: this is how new research arrives in them)."""
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        inbox = await api.connectors.create(type="email", label="desk", config={"allowed_emails": ["a@b.example"]})
        emu.fail_next_documents(1)
        ids = emu.receive_email(inbox.connector_id, 3)
        assert len(ids) == 3
        assert [d async for d in api.documents.list(connector=inbox.connector_id)] == []  # not listed yet
        one = await api.documents.get(ids[0])
        assert (one.file_name, one.status) == ("mail_00001.eml", "pending")
        await asyncio.sleep(0.8)  # the lag (0.3 s) and the processing (0.4 s) pass
        listed = [d async for d in api.documents.list(connector=inbox.connector_id)]
        assert sorted(d.id for d in listed) == sorted(ids)
        assert sorted(str(d.status) for d in listed) == ["completed", "completed", "failed"]
        broker = emu.preload(1)[0]
        with pytest.raises(ValueError, match="only email connectors"):
            emu.receive_email(broker, 1)
