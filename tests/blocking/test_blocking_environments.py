"""Where blocking code lives: inside a running event loop, in a pool of threads sharing one client, in a forked
child, and in programs that never close their client (collected, or still open at interpreter exit)."""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import textwrap
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bigdata_connectors import ClientClosedError, Connector, EventLoopError, SyncProgress
from bigdata_connectors.blocking import BigdataClient
from tests.blocking.support import INVESTMENT, ThreadedEmulator
from tests.conftest import API_KEY

ROOT = Path(__file__).resolve().parents[2]


def _loop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bigdata-connectors-loop")]


def _python(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (warnings as errors, asyncio's debug mode), from the repository."""
    return subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


async def test_a_coroutine_can_call_the_blocking_client_inside_a_running_loop(client: BigdataClient) -> None:
    """A notebook cell, an async web app's sync helper: this test runs inside pytest-asyncio's loop."""
    asyncio.get_running_loop()  # there is one
    made = client.connectors.create(type="email", label="from a coroutine", config=None)
    assert client.connectors.get(made.connector_id) == made

    def sync_helper() -> list[Connector]:  # what an async app calls without awaiting
        return client.connectors.list()

    assert [c.connector_id for c in sync_helper()] == [made.connector_id]


def test_a_notebook_cell_style_call_in_asyncio_run(client: BigdataClient) -> None:
    async def cell() -> int:
        client.connectors.create(type="email", label="cell", config=None)
        return len(client.connectors.list())

    assert asyncio.run(cell()) == 1


def test_sixteen_threads_share_one_client(client: BigdataClient, emulator: ThreadedEmulator) -> None:
    emulator.emulator.sync_items = 2
    start = threading.Barrier(16, timeout=30)  # all sixteen at once, each on a thread of its own

    def work(n: int) -> tuple[str, set[int]]:
        start.wait()
        idents: set[int] = set()

        def on_progress(progress: SyncProgress) -> None:
            idents.add(threading.get_ident())

        made = client.connectors.create(type="investment_research", label=f"desk {n}", config=INVESTMENT)
        for _ in range(5):
            assert client.connectors.get(made.connector_id).label == f"desk {n}"
        renamed = client.connectors.update(made.connector_id, label=f"desk {n} (renamed)")
        report = client.connectors.sync_and_wait(
            made.connector_id, date_limit="2026-01-01", poll_interval=0.05, on_progress=on_progress
        )
        assert report.last_sync_status == "SUCCESS"
        documents = list(client.documents.list(connector=made.connector_id, page_size=1))
        assert len(documents) == 2
        assert idents == {threading.get_ident()}  # each thread's callbacks ran in that thread
        return renamed.label, idents

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(work, range(16)))
    assert sorted(label for label, _ in results) == sorted(f"desk {n} (renamed)" for n in range(16))
    assert len({ident for _, idents in results for ident in idents}) == 16
    assert len(client.connectors.list()) == 16
    assert len(_loop_threads()) == 1
    requests = emulator.call(lambda: sum(emulator.emulator.requests.values()))
    assert requests > 16 * 10
    assert emulator.connections <= 16  # the pool's connections, reused by every thread


def _fork() -> int:
    with warnings.catch_warnings():  # 3.12+: "use of fork() may lead to deadlocks" in a threaded process
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_after_a_fork_a_used_client_refuses_and_an_unused_one_works(emulator: ThreadedEmulator) -> None:
    used = BigdataClient(API_KEY, base_url=emulator.base_url, rate_limit=None)
    unused = BigdataClient(API_KEY, base_url=emulator.base_url, rate_limit=None)
    made = used.connectors.create(type="email", label="made before the fork", config=None)
    read, write = os.pipe()
    pid = _fork()
    if pid == 0:  # the child: report through the pipe, exit without running the parent's cleanup
        code = 1
        try:
            try:
                used.connectors.list()
                message = "the used client answered"
            except EventLoopError as err:
                fresh = BigdataClient(API_KEY, base_url=emulator.base_url, rate_limit=None)
                got = fresh.connectors.get(made.connector_id)
                listed = unused.connectors.list()
                fresh.close()
                unused.close()
                used.close()  # leaves the parent's loop and connections alone
                message = f"refused: {err}|{got.label}|{len(listed)}"
                code = 0
        except BaseException as err:
            message = f"child failed: {err!r}"
        finally:
            os.write(write, message.encode())
            os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        message = pipe.read()
    assert os.waitstatus_to_exitcode(status) == 0, message
    refusal, label, count = message.split("|")
    assert "forked" in refusal
    assert "Create a new BigdataClient" in refusal
    assert (label, count) == ("made before the fork", "1")
    assert used.connectors.get(made.connector_id) == made  # the parent's client goes on
    used.close()
    unused.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_that_exits_normally_reports_nothing_unclosed(emulator: ThreadedEmulator) -> None:
    """The child's interpreter runs its exit handlers: the parent's client must be left alone, quietly."""
    result = _python(
        """
        import os, sys
        from bigdata_connectors import EventLoopError
        from bigdata_connectors.blocking import BigdataClient

        client = BigdataClient(sys.argv[1], base_url=sys.argv[2], rate_limit=None)
        client.connectors.list()
        pid = os.fork()
        if pid == 0:
            try:
                client.connectors.list()
            except EventLoopError:
                print("child refused")
            sys.exit(0)  # normal exit: atexit handlers and finalizers run in the child
        _, status = os.waitpid(pid, 0)
        print("parent", len(client.connectors.list()), os.waitstatus_to_exitcode(status))
        """,
        API_KEY,
        emulator.base_url,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["child refused", "parent 0 0"]
    assert result.stderr == ""


def test_a_collected_client_closes_its_session_and_stops_its_thread(emulator: ThreadedEmulator) -> None:
    client = BigdataClient(API_KEY, base_url=emulator.base_url, rate_limit=None)
    handle = client.connectors.attach_sync("019a9612-bfad-758c-884e-37dd8c6ad2cb")
    client.connectors.list()
    (thread,) = _loop_threads()
    del client
    gc.collect()
    assert thread.is_alive()  # the handle still holds what it needs
    del handle
    gc.collect()
    thread.join(5)
    assert not thread.is_alive()  # and the autouse guard sees no "Unclosed client session"


def test_an_unclosed_client_does_not_hold_up_interpreter_exit(emulator: ThreadedEmulator) -> None:
    result = _python(
        """
        import sys, threading
        from bigdata_connectors import ClientClosedError
        from bigdata_connectors.blocking import BigdataClient

        client = BigdataClient(sys.argv[1], base_url=sys.argv[2], rate_limit=None)
        made = client.connectors.create(type="investment_research", label="x", config={"user_id": "u", "user_password": "p"})
        client.connectors.trigger_sync(made.connector_id, date_limit="2026-01-01")
        polling = threading.Event()

        def wait_forever():  # a daemon thread still blocked in a call when the program ends
            try:
                client.connectors.wait_for_sync(made.connector_id, poll_interval=30, on_progress=lambda p: polling.set())
            except ClientClosedError:
                pass

        threading.Thread(target=wait_forever, daemon=True).start()
        polling.wait(30)
        print("leaving")
        """,
        API_KEY,
        emulator.base_url,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "leaving\n"
    assert result.stderr == ""  # no ResourceWarning, no "Unclosed client session", no thread traceback


def test_a_closed_client_refuses_calls_from_every_thread(client: BigdataClient) -> None:
    client.close()

    def call() -> str:
        try:
            client.connectors.list()
        except ClientClosedError as err:
            return str(err)
        return "answered"

    with ThreadPoolExecutor(4) as pool:
        answers = set(pool.map(lambda _: call(), range(8)))
    assert answers == {"this BigdataClient is closed; create a new one"}
