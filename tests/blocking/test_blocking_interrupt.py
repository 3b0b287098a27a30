"""Ctrl-C in the calling thread, for real: a program blocked in ``sync_and_wait`` against the emulator command gets
SIGINT (or ``_thread.interrupt_main()``, or the interrupt lands inside its progress callback). The call's coroutine
is cancelled on the loop thread and has ended before KeyboardInterrupt reaches the program, nothing of it keeps
running, and the client goes on working."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import API_KEY

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
import _thread, asyncio, json, sys
from bigdata_connectors import ConnectorsFile
from bigdata_connectors.blocking import BigdataClient

mode, key, base_url = sys.argv[1:]
state = {"sleeping": 0, "cancelled": 0}


async def sleep(seconds):  # the client's sleep between polls, on its loop thread: shows the cancellation
    state["sleeping"] += 1
    if mode == "sigint":
        print("sleeping", flush=True)  # the test sends SIGINT now
    elif mode == "interrupt_main":
        _thread.interrupt_main()  # an interrupt that does not wake the main thread: it must notice anyway
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        state["cancelled"] += 1
        raise
    finally:
        state["sleeping"] -= 1


client = BigdataClient(key, base_url=base_url, rate_limit=None, sleep=sleep)
made = client.connectors.create(type="investment_research", label="long", config={"user_id": "u", "user_password": "p"})
polls = []


def on_progress(progress):
    polls.append(progress.status)
    if mode == "in_callback":
        _thread.interrupt_main()
        sum(range(10_000))  # the interrupt lands here, in the callback, in the calling thread


try:
    client.connectors.sync_and_wait(
        made.connector_id,
        date_limit="2026-01-01",
        poll_interval=30,
        on_progress=on_progress,
    )
    print(json.dumps({"interrupted": False}))
    sys.exit(1)
except KeyboardInterrupt:
    seen = dict(state, polls=len(polls))


async def count_tasks(outcome):  # runs on the loop thread: what is still running there?
    seen["tasks"] = len(asyncio.all_tasks())


plan = client.connectors.plan(ConnectorsFile.parse("version: 1\\nconnectors:\\n  - {type: email, label: after}\\n"))
seen["applied"] = client.connectors.apply(plan, on_outcome=count_tasks).ok
seen["usable"] = client.connectors.get(made.connector_id).label
seen["polls_after"] = len(polls)
client.close()
print(json.dumps(dict(seen, interrupted=True)), flush=True)
"""


@contextlib.contextmanager
def _emulator_command(*args: str) -> Iterator[str]:
    """``python -m bigdata_connectors.testing`` on a free port; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bigdata_connectors.testing", "--port", "0", "--api-key", API_KEY, *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("Bigdata connectors emulator on http://127.0.0.1:"), first
        yield first.rsplit(" ", 1)[-1]
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with _emulator_command("--sync-duration", "600") as url:  # a sync that outlasts any test
        yield url


def _interrupted(mode: str, base_url: str) -> dict[str, object]:
    proc = subprocess.Popen(
        [sys.executable, "-X", "dev", "-W", "error", "-c", textwrap.dedent(PROGRAM), mode, API_KEY, base_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None
    try:
        if mode == "sigint":
            line = proc.stdout.readline()
            assert line == "sleeping\n", line + (proc.stderr.read() if proc.stderr else "")
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert err == ""
    result: dict[str, object] = json.loads(out)
    return result


@pytest.mark.parametrize("mode", ["sigint", "interrupt_main", "in_callback"])
def test_ctrl_c_cancels_the_call_on_the_loop_thread_and_leaves_the_client_usable(mode: str, base_url: str) -> None:
    seen = _interrupted(mode, base_url)
    assert seen["interrupted"] is True
    assert seen["sleeping"] == 0  # the coroutine had ended when KeyboardInterrupt was raised ...
    assert seen["polls"] == 1
    # ... cancelled in its sleep between polls, or (interrupted in the callback) while awaiting the callback
    assert seen["cancelled"] == (0 if mode == "in_callback" else 1)
    assert seen["tasks"] == 1  # nothing of it runs on the loop: only the later call's own task
    assert seen["polls_after"] == seen["polls"]
    assert seen["applied"] is True
    assert seen["usable"] == "long"
