"""Blocking quickstart: the same steps as quickstart.py, in plain blocking code (no async, no await).

With BIGDATA_API_KEY set this talks to the real API (BIGDATA_BASE_URL overrides the address); without it,
it starts the emulator command (``python -m bigdata_connectors.testing``) and says so. It cleans up the
connectors it created even when interrupted (Ctrl-C): the client stays usable after an interrupted call.

    python examples/blocking_quickstart.py
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from bigdata_connectors import BigdataError, Connector, DocumentsSummary, SyncProgress
from bigdata_connectors.blocking import BigdataClient

TTY = sys.stdout.isatty()


def say(text: str = "") -> None:
    print(text, flush=True)


def describe(connector: Connector) -> str:
    state = "archived" if connector.archived else "active"
    return f"{connector.label!r:34} {connector.type:20} {state:8} {connector.connector_id}"


@contextlib.contextmanager
def emulator_command() -> Iterator[tuple[str, str]]:
    """The emulator as a separate process; yields (base URL, API key). Its own session: a Ctrl-C meant for this
    program does not stop it before the clean-up is done."""
    key = "quickstart-" + os.urandom(4).hex()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bigdata_connectors.testing", "--port", "0", "--api-key", key, "--sync-duration", "2.5"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().split()[-1], key
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


@contextlib.contextmanager
def open_client() -> Iterator[BigdataClient]:
    if os.environ.get("BIGDATA_API_KEY"):
        with BigdataClient() as client:
            say(f"Using the Bigdata API at {client.base_url}")
            yield client
        return
    with emulator_command() as (base_url, key):
        say(f"No BIGDATA_API_KEY set: using the emulator command at {base_url}")
        with BigdataClient(key, base_url=base_url) as client:
            yield client


def show_progress(progress: SyncProgress) -> None:  # runs in this thread, between polls
    line = f"  sync: {progress.status or 'waiting':10} {progress.elapsed:5.1f}s  poll #{progress.polls}"
    if TTY:
        print("\r" + line, end="", flush=True)
    else:
        say(line)


def show_documents(summary: DocumentsSummary) -> None:
    line = f"  documents: {summary}"
    if TTY:
        print("\r" + line, end="", flush=True)
    else:
        say(line)


def run(client: BigdataClient, created: list[Connector]) -> None:
    say("\n1. Create two connectors")
    inbox = client.connectors.create(
        type="email",
        label="Quickstart - analyst inbox",
        config={"allowed_emails": ["analyst@example.com"]},
        description="Daily notes forwarded by the research team",
    )
    created.append(inbox)
    say(f"   email inbox        {inbox.connector_id}  forward mail to {getattr(inbox.config, 'email', None)}")
    broker = client.connectors.create(
        type="investment_research",
        label="Quickstart - broker feed",
        config={"user_id": "research@example.com", "user_password": os.environ.get("BROKER_PASSWORD", "demo-password")},
    )
    created.append(broker)
    say(f"   broker research    {broker.connector_id}  (the password is never returned)")

    say("\n2. List connectors")
    for connector in client.connectors.list():
        say("   " + describe(connector))

    say("\n3. Rename the inbox (description and sharing are kept)")
    renamed = client.connectors.update(inbox.connector_id, label="Quickstart - research inbox")
    say(f"   {renamed.label!r}, description kept: {renamed.description!r}")

    say("\n4. Sync the broker feed, wait for it and for the documents it brings in")
    started = time.monotonic()
    handle = client.connectors.start_sync(
        broker.connector_id, date_limit=date.today() - timedelta(days=30), timeout=300
    )
    say(f"   triggered at {handle.started_at:%H:%M:%S} UTC; hand-over token: {handle.token()[:24]}...")
    report = handle.wait(
        poll_interval=0.5,
        max_poll_interval=5,
        on_progress=show_progress,
        documents=True,
        on_documents_progress=show_documents,
    )
    if TTY:
        print()
    synced = report.connector
    say(f"   {synced.last_sync_status}: {synced.last_sync_count} items synced in {time.monotonic() - started:.1f}s")
    say(f"   documents it brought in: {report.documents}")
    for document in itertools.islice(handle.documents(page_size=5), 3):  # a plain iterator, one page at a time
        say(f"     {document.status:10} {document.file_name}  {document.id}")

    say("\n5. One client shared by a pool of threads")
    with ThreadPoolExecutor(8) as pool:
        labels = list(pool.map(lambda c: client.connectors.get(c.connector_id).label, created * 4))
    say(f"   {len(labels)} reads from 8 threads over the client's one connection pool")

    say("\n6. Archive the inbox, force-delete the broker feed")
    archived = client.connectors.delete(inbox.connector_id)
    say(f"   archived: {archived.archived if archived else 'accepted'}")
    client.connectors.delete(broker.connector_id, force=True)
    created.remove(broker)
    say("   hard delete accepted (it completes asynchronously on the server)")


def main() -> int:
    created: list[Connector] = []
    with open_client() as client:
        try:
            run(client, created)
        except BigdataError as err:
            say(f"\nFailed: {err}")
            return 1
        finally:
            # Runs on errors and on Ctrl-C alike: the interrupted call was cancelled, the client still works.
            for connector in created:
                with contextlib.suppress(BigdataError):
                    client.connectors.delete(connector.connector_id, force=True)
            if created:
                say(f"\nCleaned up {len(created)} connector(s).")
    say("\nDone.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("\nInterrupted; cleaned up.")
        sys.exit(130)
