"""The blocking client against the emulator over real loopback HTTP: every operation, its results and errors,
callbacks and the thread they run in, views, closing, and one session reused across calls."""

from __future__ import annotations

import contextvars
import gc
import threading
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import pytest

import bigdata_connectors
from bigdata_connectors import (
    APIConnectionError,
    ApplyReport,
    ClientClosedError,
    ConfigurationError,
    Connector,
    ConnectorsFile,
    DocumentsSummary,
    EventLoopError,
    NotFoundError,
    RawResponse,
    SyncFailedError,
    SyncProgress,
    SyncReport,
)
from bigdata_connectors.blocking import BigdataClient, SyncHandle
from tests.blocking.support import INVESTMENT, ThreadedEmulator
from tests.conftest import API_KEY


def _broker(client: BigdataClient, label: str = "broker") -> Connector:
    return client.connectors.create(type="investment_research", label=label, config=INVESTMENT)


def _loop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bigdata-connectors-loop")]


def test_the_six_operations_return_what_the_async_ones_do(client: BigdataClient) -> None:
    inbox = client.connectors.create(type="email", label="inbox", config={"allowed_emails": ["a@b.c"]})
    assert isinstance(inbox, Connector)
    assert [c.connector_id for c in client.connectors.list()] == [inbox.connector_id]
    assert client.connectors.get(inbox.connector_id) == inbox
    renamed = client.connectors.update(inbox.connector_id, label="renamed")
    assert (renamed.label, renamed.description) == ("renamed", inbox.description)  # the rest kept
    broker = _broker(client)
    assert client.connectors.trigger_sync(broker.connector_id, date_limit="2026-01-01").status == "accepted"
    archived = client.connectors.delete(inbox.connector_id)
    assert archived is not None
    assert archived.archived


def test_raw_responses_carry_status_headers_and_the_parsed_result(client: BigdataClient) -> None:
    raw = client.connectors.with_raw_response.create(type="email", label="raw", config=None)
    assert isinstance(raw, RawResponse)
    made = raw.parse()
    assert raw.status_code == 200
    assert raw.request_id is not None
    assert raw.elapsed >= 0
    listed = client.connectors.with_raw_response.list()
    assert [c.connector_id for c in listed.parse()] == [made.connector_id]
    got = client.connectors.with_raw_response.get(made.connector_id)
    assert got.parse() == made
    assert (got.method, got.path) == ("GET", f"/contents/v1/connectors/{made.connector_id}")
    assert client.connectors.with_raw_response.update(made.connector_id, label="x").method == "PUT"
    with pytest.raises(NotFoundError):
        client.documents.with_raw_response.get("0" * 32)


def test_documents_list_is_a_plain_iterator_pulling_pages_lazily(
    client: BigdataClient, emulator: ThreadedEmulator
) -> None:
    emulator.emulator.sync_items = 5
    broker = _broker(client)
    client.connectors.sync_and_wait(broker.connector_id, date_limit="2026-01-01", poll_interval=0.05)
    documents = client.documents.list(connector=broker.connector_id, page_size=2)
    assert isinstance(documents, Iterator)
    assert not isinstance(documents, AsyncIterator)
    assert emulator.requests("list_documents") == 0  # nothing sent until iterated
    first = next(documents)
    assert emulator.requests("list_documents") == 1
    rest = list(documents)
    assert emulator.requests("list_documents") == 3  # pages of 2, 2 and 1
    assert len({first.id, *(d.id for d in rest)}) == 5
    assert list(documents) == []  # exhausted, as any iterator
    one = client.documents.get(first.id)
    assert one.id == first.id


def test_documents_list_checks_its_arguments_before_sending_and_can_stop_early(
    client: BigdataClient, emulator: ThreadedEmulator
) -> None:
    with pytest.raises(ValueError, match="page_size"):
        client.documents.list(page_size=0)
    with pytest.raises(TypeError, match="tags"):
        client.documents.list(tags="one")
    emulator.emulator.sync_items = 5
    broker = _broker(client)
    client.connectors.sync_and_wait(broker.connector_id, date_limit="2026-01-01", poll_interval=0.05)
    documents = client.documents.list(page_size=2)
    next(documents)
    documents.close()  # type: ignore[attr-defined]  # the iterator's own close(), beyond Iterator
    assert list(documents) == []
    assert emulator.requests("list_documents") == 1


def test_a_documents_iterator_left_unfinished_is_finalised_quietly(emulator: ThreadedEmulator) -> None:
    emulator.emulator.sync_items = 5
    client = BigdataClient(API_KEY, base_url=emulator.base_url, rate_limit=None)
    broker = _broker(client)
    client.connectors.sync_and_wait(broker.connector_id, date_limit="2026-01-01", poll_interval=0.05)
    dropped, kept = client.documents.list(page_size=2), client.documents.list(page_size=2)
    next(dropped)
    next(kept)
    del dropped  # collected while the loop runs: closed there
    gc.collect()
    client.close()  # closes what is still open (kept) with the loop
    with pytest.raises(ClientClosedError):
        next(kept)
    del kept
    gc.collect()  # no "coroutine was never awaited", no "Event loop is closed" from a finaliser


def test_the_sync_handle_waits_polls_hands_over_and_lists_documents(
    client: BigdataClient, emulator: ThreadedEmulator
) -> None:
    emulator.emulator.sync_items = 3
    broker = _broker(client)
    handle = client.connectors.start_sync(broker.connector_id, date_limit="2026-01-01", timeout=60)
    assert isinstance(handle, SyncHandle)
    assert handle.connector_id == broker.connector_id
    assert handle.baseline is None
    assert handle.deadline is not None
    assert handle.started_at.tzinfo is not None
    assert "SyncHandle(" in repr(handle)
    assert handle.poll().state in ("running", "succeeded")
    resumed = client.connectors.resume_sync(handle.token())
    assert (resumed.connector_id, resumed.started_at) == (handle.connector_id, handle.started_at)
    report = resumed.wait(poll_interval=0.05, documents=True, documents_settle=0.5)
    assert isinstance(report, SyncReport)
    assert len(report.documents.completed) == 3
    assert handle.wait(poll_interval=0.05).last_sync_status == "SUCCESS"
    assert len(list(handle.documents(page_size=2))) == 3
    attached = client.connectors.attach_sync(broker.connector_id, after=handle.baseline)
    assert attached.wait(timeout=5, poll_interval=0.05).connector_id == broker.connector_id
    with pytest.raises(ValueError, match="page_size"):
        next(handle.documents(page_size=500))  # checked when iterated, as the async one


def test_sync_and_wait_wait_for_sync_and_sync_many(client: BigdataClient, emulator: ThreadedEmulator) -> None:
    emulator.emulator.sync_items = 2
    first, second = _broker(client, "one"), _broker(client, "two")
    synced = client.connectors.sync_and_wait(first.connector_id, date_limit="2026-01-01", poll_interval=0.05)
    assert synced.last_sync_status == "SUCCESS"
    report = client.connectors.sync_and_wait(
        first.connector_id, date_limit="2026-01-01", poll_interval=0.05, wait_for_documents=True
    )
    assert isinstance(report, SyncReport)
    client.connectors.trigger_sync(second.connector_id, date_limit="2026-01-01")
    waited = client.connectors.wait_for_sync(second.connector_id, poll_interval=0.05)
    assert waited.last_sync_status == "SUCCESS"
    emulator.emulator.fail_next_syncs(1)
    outcomes = client.connectors.sync_many(
        (c.connector_id for c in (first, second)), date_limit="2026-01-01", poll_interval=0.05
    )
    assert [o.ok for o in outcomes].count(False) == 1
    assert any(isinstance(o.error, SyncFailedError) for o in outcomes)


def test_plain_callbacks_run_in_the_calling_thread(client: BigdataClient, emulator: ThreadedEmulator) -> None:
    emulator.emulator.sync_items = 2
    broker = _broker(client)
    seen: list[tuple[str, int]] = []

    def on_progress(progress: SyncProgress) -> None:
        seen.append(("progress", threading.get_ident()))

    def on_documents(summary: DocumentsSummary) -> None:
        seen.append(("documents", threading.get_ident()))

    def sync_here() -> None:
        client.connectors.sync_and_wait(
            broker.connector_id,
            date_limit="2026-01-01",
            poll_interval=0.05,
            on_progress=on_progress,
            wait_for_documents=True,
            on_documents_progress=on_documents,
        )

    sync_here()
    assert {kind for kind, _ in seen} == {"progress", "documents"}
    assert {ident for _, ident in seen} == {threading.get_ident()}
    seen.clear()
    worker = threading.Thread(target=sync_here)
    worker.start()
    worker.join(30)
    assert {kind for kind, _ in seen} == {"progress", "documents"}
    assert {ident for _, ident in seen} == {worker.ident}


def test_apply_reports_each_outcome_in_the_calling_thread(client: BigdataClient, tmp_path: Path) -> None:
    source = ConnectorsFile.parse(
        "version: 1\nconnectors:\n  - type: email\n    label: desk inbox\n    config: {allowed_emails: [a@b.c]}\n"
    )
    plan = client.connectors.plan(source)
    outcomes: list[int] = []
    report = client.connectors.apply(plan, on_outcome=lambda outcome: outcomes.append(threading.get_ident()))
    assert isinstance(report, ApplyReport)
    assert report.ok
    assert outcomes == [threading.get_ident()]
    made = client.connectors.ensure(type="email", label="desk inbox", config={"allowed_emails": ["a@b.c"]})
    assert made.label == "desk inbox"
    assert [c.label for c in client.connectors.list()] == ["desk inbox"]


def test_an_async_callback_runs_on_the_loop_thread_with_the_callers_context_variables(
    client: BigdataClient,
) -> None:
    broker = _broker(client)
    request = contextvars.ContextVar("request", default="none")
    request.set("req-42")
    seen: list[tuple[str, int]] = []

    async def on_progress(progress: SyncProgress) -> None:
        seen.append((request.get(), threading.get_ident()))

    client.connectors.sync_and_wait(
        broker.connector_id, date_limit="2026-01-01", poll_interval=0.05, on_progress=on_progress
    )
    assert seen
    assert {value for value, _ in seen} == {"req-42"}
    assert {ident for _, ident in seen} == {_loop_threads()[-1].ident}


def test_a_callbacks_error_reaches_the_caller_and_the_client_stays_usable(client: BigdataClient) -> None:
    broker = _broker(client)
    boom = ValueError("callback says no")

    def on_progress(progress: SyncProgress) -> None:
        raise boom

    with pytest.raises(ValueError, match="callback says no") as caught:
        client.connectors.sync_and_wait(broker.connector_id, date_limit="2026-01-01", on_progress=on_progress)
    assert caught.value is boom
    assert client.connectors.get(broker.connector_id).connector_id == broker.connector_id


def test_a_blocking_call_from_the_loop_thread_is_refused_not_deadlocked(client: BigdataClient) -> None:
    broker = _broker(client)

    async def on_progress(progress: SyncProgress) -> None:
        client.connectors.list()

    with pytest.raises(EventLoopError, match="own event loop thread"):
        client.connectors.sync_and_wait(broker.connector_id, date_limit="2026-01-01", on_progress=on_progress)
    assert client.connectors.list() == [client.connectors.get(broker.connector_id)]


def test_errors_are_the_sdks_raised_in_the_calling_thread_with_their_chain(client: BigdataClient) -> None:
    missing = uuid4()
    with pytest.raises(NotFoundError) as caught:
        client.connectors.get(missing)
    assert caught.value.status_code == 404
    files = [frame.filename for frame in traceback.extract_tb(caught.value.__traceback__)]
    assert any(name == __file__ for name in files)  # raised here ...
    core = Path(bigdata_connectors.__file__).parent
    inside = [Path(name).relative_to(core).parts for name in files if Path(name).is_relative_to(core)]
    assert ("connectors.py",) in inside  # ... from where it happened, on the loop thread
    with pytest.raises(ValueError, match="UUID"):
        client.connectors.get("not-a-uuid")  # checked before sending, as the async client does


def test_a_connection_error_keeps_its_cause() -> None:
    client = BigdataClient(API_KEY, base_url="http://127.0.0.1:9", max_retries=0, rate_limit=None)
    with client, pytest.raises(APIConnectionError) as caught:
        client.connectors.list()
    assert caught.value.__cause__ is not None


def test_the_constructor_takes_the_async_clients_arguments_and_environment(
    emulator: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIGDATA_API_KEY", API_KEY)
    monkeypatch.setenv("BIGDATA_BASE_URL", emulator.base_url)
    with BigdataClient(timeout=5, max_retries=1, max_connections=4, rate_limit=1000) as client:
        assert client.base_url == emulator.base_url
        assert client.connectors.list() == []
        assert "***" in repr(client)
        assert API_KEY not in repr(client)
    monkeypatch.delenv("BIGDATA_API_KEY")
    with pytest.raises(ConfigurationError):
        BigdataClient()
    with pytest.raises(ConfigurationError):
        BigdataClient(API_KEY, base_url="http://api.example.test")  # plain http only on loopback
    assert _loop_threads() == []  # a client that failed to build started nothing


async def test_a_borrowed_session_is_refused_with_the_reason() -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        with pytest.raises(ConfigurationError, match="event loop"):
            BigdataClient(API_KEY, base_url="http://127.0.0.1:9", session=session)


def test_a_view_shares_the_loop_thread_and_session_and_closes_only_itself(
    client: BigdataClient, emulator: ThreadedEmulator
) -> None:
    client.connectors.list()
    view = client.with_options(timeout=5, max_retries=0)
    assert isinstance(view, BigdataClient)
    assert view.connectors.list() == []
    assert emulator.connections == 1
    assert len(_loop_threads()) == 1
    view.close()
    assert view.closed
    assert not client.closed
    with pytest.raises(ClientClosedError):
        view.connectors.list()
    assert client.connectors.list() == []
    other = client.with_options(timeout=2)
    client.close()
    assert other.closed
    with pytest.raises(ClientClosedError):
        other.connectors.list()
    with pytest.raises(ConfigurationError):
        BigdataClient(API_KEY, base_url=emulator.base_url).with_options(timeout=-1)


def test_closing_stops_the_loop_thread_and_later_calls_raise(emulator: ThreadedEmulator) -> None:
    with BigdataClient(API_KEY, base_url=emulator.base_url, rate_limit=None) as client:
        handle = client.connectors.attach_sync(uuid4())
        documents = client.documents.list()
        assert not client.closed
        client.connectors.list()
        assert len(_loop_threads()) == 1
    assert client.closed
    assert _loop_threads() == []
    for call in (client.connectors.list, handle.poll, lambda: next(documents)):
        with pytest.raises(ClientClosedError, match="closed"):
            call()
    client.close()  # idempotent
    unused = BigdataClient(API_KEY, base_url=emulator.base_url)
    unused.close()  # never called: no thread was started, none to stop
    assert unused.closed
    with pytest.raises(ClientClosedError):
        unused.connectors.list()
    assert _loop_threads() == []


def test_an_async_callback_may_close_the_client(client: BigdataClient) -> None:
    broker = _broker(client)

    async def on_progress(progress: SyncProgress) -> None:
        client.close()  # on the loop thread: the loop closes the session, then stops

    with pytest.raises(ClientClosedError):
        client.connectors.sync_and_wait(broker.connector_id, date_limit="2026-01-01", on_progress=on_progress)
    assert client.closed
    for thread in _loop_threads():
        thread.join(5)
    assert _loop_threads() == []  # and the autouse guard sees no unclosed session


def test_closing_ends_a_call_waiting_in_another_thread(client: BigdataClient) -> None:
    broker = _broker(client)
    polled = threading.Event()
    outcome: list[BaseException] = []

    def wait() -> None:
        try:
            client.connectors.wait_for_sync(broker.connector_id, poll_interval=30, on_progress=lambda p: polled.set())
        except BaseException as err:
            outcome.append(err)

    waiter = threading.Thread(target=wait)
    waiter.start()
    assert polled.wait(10)
    client.close()
    waiter.join(10)
    assert not waiter.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], ClientClosedError)


def test_one_session_and_its_connection_serve_every_call(client: BigdataClient, emulator: ThreadedEmulator) -> None:
    broker = _broker(client)
    for _ in range(50):
        client.connectors.get(broker.connector_id)
    client.connectors.sync_and_wait(broker.connector_id, date_limit="2026-01-01", poll_interval=0.05)
    assert emulator.requests("get") > 50
    assert emulator.connections == 1
