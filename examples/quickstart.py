"""Quickstart: create, list, update, sync (and see the documents it brought in) and delete connectors.

With BIGDATA_API_KEY set this talks to the real API (BIGDATA_BASE_URL overrides the address);
without it, it starts the built-in emulator in-process and says so. It cleans up the connectors it
created even when interrupted (Ctrl-C).

    make demo          # or: python examples/quickstart.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta

from bigdata_connectors import BigdataClient, BigdataError, Connector, SyncProgress
from bigdata_connectors.testing import Emulator

TTY = sys.stdout.isatty()


def say(text: str = "") -> None:
    print(text, flush=True)


def describe(connector: Connector) -> str:
    state = "archived" if connector.archived else "active"
    return f"{connector.label!r:34} {connector.type:20} {state:8} {connector.connector_id}"


@contextlib.asynccontextmanager
async def open_client() -> AsyncIterator[BigdataClient]:
    if os.environ.get("BIGDATA_API_KEY"):
        async with BigdataClient() as client:
            say(f"Using the Bigdata API at {client.base_url}")
            yield client
        return
    # Longer than the default so the progress line has something to show.
    async with Emulator(sync_duration=2.5, force_delete_delay=0.5) as emulator:
        emulator.sync_items = 12  # the documents the sync brings in: listed after 1 s, processed in 2 s
        emulator.document_lag, emulator.document_processing = 1.0, 2.0
        emulator.fail_next_documents(1)
        say(f"No BIGDATA_API_KEY set: using the built-in emulator at {emulator.base_url}")
        async with BigdataClient(emulator.api_key, base_url=emulator.base_url) as client:
            yield client


def show_progress(progress: SyncProgress) -> None:
    line = f"  sync: {progress.status or 'waiting':10} {progress.elapsed:5.1f}s  poll #{progress.polls}"
    if TTY:
        print("\r" + line, end="", flush=True)
    else:
        say(line)


async def run(client: BigdataClient, created: list[Connector]) -> None:
    say("\n1. Create two connectors")
    inbox = await client.connectors.create(
        type="email",
        label="Quickstart - analyst inbox",
        config={"allowed_emails": ["analyst@example.com"]},
        description="Daily notes forwarded by the research team",
    )
    created.append(inbox)
    address = getattr(inbox.config, "email", None)
    say(f"   email inbox        {inbox.connector_id}  forward mail to {address}")
    broker = await client.connectors.create(
        type="investment_research",
        label="Quickstart - broker feed",
        config={"user_id": "research@example.com", "user_password": os.environ.get("BROKER_PASSWORD", "demo-password")},
    )
    created.append(broker)
    say(f"   broker research    {broker.connector_id}  (the password is never returned)")

    say("\n2. List connectors")
    for connector in await client.connectors.list():
        say("   " + describe(connector))

    say("\n3. Rename the inbox (description and sharing are kept)")
    renamed = await client.connectors.update(inbox.connector_id, label="Quickstart - research inbox")
    say(f"   {renamed.label!r}, description kept: {renamed.description!r}")

    say("\n4. Sync the broker feed, wait for it and for the documents it brings in")
    started = time.monotonic()
    handle = await client.connectors.start_sync(
        broker.connector_id, date_limit=date.today() - timedelta(days=30), timeout=300
    )
    say(f"   triggered at {handle.started_at:%H:%M:%S} UTC; hand-over token: {handle.token()[:24]}...")
    report = await handle.wait(poll_interval=0.5, max_poll_interval=5, on_progress=show_progress, documents=True)
    if TTY:
        print()
    synced = report.connector
    say(
        f"   {synced.last_sync_status}: {synced.last_sync_count} items synced, "
        f"{synced.files_count} files in total, in {time.monotonic() - started:.1f}s"
    )
    say(f"   documents it brought in: {report.documents}")
    async for document in handle.documents():
        say(f"     {document.status:10} {document.file_name}  {document.id}")

    say("\n5. Archive the inbox, force-delete the broker feed")
    archived = await client.connectors.delete(inbox.connector_id)
    say(f"   archived: {archived.archived if archived else 'accepted'}")
    await client.connectors.delete(broker.connector_id, force=True)
    created.remove(broker)
    say("   hard delete accepted (it completes asynchronously on the server)")


async def main() -> int:
    created: list[Connector] = []
    async with open_client() as client:
        try:
            await run(client, created)
        except BigdataError as err:
            say(f"\nFailed: {err}")
            return 1
        finally:
            # Runs on errors and on Ctrl-C (cancellation) alike: leave nothing behind.
            for connector in created:
                with contextlib.suppress(BigdataError):
                    await asyncio.shield(client.connectors.delete(connector.connector_id, force=True))
            if created:
                say(f"\nCleaned up {len(created)} connector(s).")
    say("\nDone.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except KeyboardInterrupt:
        say("\nInterrupted; cleaned up.")
        sys.exit(130)
