"""The CLI as users run it: a real pseudo-terminal for the live display, pipes for scripts, the emulator
command as a server used by another CLI process, and what ``--help`` loads."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator

import pytest

from tests.cli.conftest import ThreadedEmulator, assert_no_canary, cli_command, cli_env
from tests.conftest import PASSWORD

SGR_COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-9]m")  # a foreground colour
SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def slow_emu() -> Iterator[ThreadedEmulator]:
    """Syncs of 1 s, so a live display at 0.1 s polls has something to show."""
    server = ThreadedEmulator(sync_duration=1.0, seed=2)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def run_in_pty(
    args: list[str],
    env: dict[str, str],
    timeout: float = 30.0,
    interrupt_on: bytes | None = None,
    answer: tuple[bytes, bytes] | None = None,
) -> tuple[int, str]:
    """Run the CLI with stdin, stdout and stderr on a real pseudo-terminal (120x40); return (exit code, output).
    With ``interrupt_on``, press Ctrl-C (SIGINT to the process group) once that output has appeared; with
    ``answer`` (prompt, keys), type the keys once the prompt has appeared."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen([*cli_command(), *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)  # fmt: skip
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
            if interrupt_on is not None and interrupt_on in b"".join(chunks):
                os.killpg(proc.pid, signal.SIGINT)
                interrupt_on = None
            if answer is not None and answer[0] in b"".join(chunks):
                os.write(master, answer[1])
                answer = None
        code = proc.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return code, b"".join(chunks).decode("utf-8", errors="replace")


def test_live_progress_on_a_terminal(slow_emu: ThreadedEmulator) -> None:
    a, b = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 2))
    env = cli_env(slow_emu.base_url, TERM="xterm-256color")
    code, out = run_in_pty(["sync", a, b, "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.1"], env)
    assert code == 0, out
    assert_no_canary(out)
    # One live line per connector, redrawn in place: label, status, elapsed and the poll count.
    assert "\x1b[2K" in out
    assert "\x1b[?25l" in out
    plain = SGR.sub("", out)
    for label, cid in (("preloaded 0", a), ("preloaded 1", b)):
        line = rf"{label} \(…{cid[-12:]}\) (PENDING|RUNNING) 0:00:0\d \d+ polls"
        assert re.search(line, plain), plain
    assert max(int(n) for n in re.findall(r"(\d+) polls", out)) >= 3
    assert SGR_COLOUR.search(out)  # colour on a terminal
    summary = out[out.rindex("CONNECTOR") :]
    assert a in summary
    assert b in summary
    assert summary.count("SUCCESS") == 2


def test_live_documents_progress_on_a_terminal(slow_emu: ThreadedEmulator) -> None:
    """``--documents``: once the sync has succeeded, its line counts the documents it brought in as they process."""
    (cid,) = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 1))
    slow_emu.call(setattr, slow_emu.emulator, "document_processing", 1.0)
    env = cli_env(slow_emu.base_url, TERM="xterm-256color")
    args = ["sync", cid, "--date-limit", "2026-01-01", "--wait", "--documents", "--poll-interval", "0.1"]
    code, out = run_in_pty(args, env)
    assert code == 0, out
    plain = SGR.sub("", out)
    assert re.search(r"SUCCESS, documents: \d+ completed, 0 failed, \d+ processing", plain), plain[-2000:]
    assert re.search(r"SUCCESS, documents: [1-9]\d* completed, 0 failed\b(?!, \d+ processing)", plain)


def test_ctrl_c_stops_the_wait_with_exit_130(slow_emu: ThreadedEmulator) -> None:
    (cid,) = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 1))
    slow_emu.emulator.sync_duration = 60.0
    env = cli_env(slow_emu.base_url, TERM="xterm")
    args = ["sync", cid, "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.1"]
    code, out = run_in_pty(args, env, interrupt_on=b"2 polls")
    assert code == 130
    assert out.rstrip().endswith("bigdata-connectors: interrupted (the syncs already started go on on the server)")
    assert "Traceback" not in out
    assert "\x1b[?25h" in out  # the cursor is shown again


def test_delete_asks_on_a_real_terminal(slow_emu: ThreadedEmulator) -> None:
    keep, gone = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 2))
    env = cli_env(slow_emu.base_url, TERM="xterm")
    code, out = run_in_pty(["delete", keep, "--force"], env, answer=(b"[y/N]", b"n\r"))
    assert code == 2
    assert "Delete connector 'preloaded 0'" in out
    assert "not deleted" in out
    code, out = run_in_pty(["delete", gone, "--force"], env, answer=(b"[y/N]", b"y\r"))
    assert code == 0, out
    assert "accepted" in out
    assert slow_emu.emulator.requests["delete"] == 1


def test_a_prompted_password_is_not_echoed(slow_emu: ThreadedEmulator) -> None:
    env = cli_env(slow_emu.base_url, TERM="xterm")
    args = ["create", "--type", "investment_research", "--label", "Broker", "--user-id", "me@broker.com"]
    code, out = run_in_pty(args, env, answer=(b"Portal password:", PASSWORD.encode() + b"\r"))
    assert code == 0, out
    assert "Portal password:" in out
    assert PASSWORD not in out  # the terminal did not echo it, and nothing printed it
    (stored,) = slow_emu.emulator.state.connectors.values()
    assert stored.secret == PASSWORD


def test_no_color_on_a_terminal(slow_emu: ThreadedEmulator) -> None:
    (cid,) = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 1))
    env = cli_env(slow_emu.base_url, TERM="xterm-256color", NO_COLOR="1")
    code, out = run_in_pty(["sync", cid, "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.1"], env)
    assert code == 0, out
    assert "polls" in out  # still live
    assert not SGR_COLOUR.search(out), repr(out[:300])


def test_no_progress_when_stdout_is_not_a_terminal(slow_emu: ThreadedEmulator) -> None:
    (cid,) = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 1))
    proc = subprocess.run(
        [*cli_command(), "sync", cid, "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.1"],
        env=cli_env(slow_emu.base_url, TERM="xterm-256color"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "polls" not in proc.stdout
    assert "\x1b" not in proc.stdout
    assert "\r" not in proc.stdout
    assert proc.stdout.splitlines()[0].split()[0] == "CONNECTOR"
    assert proc.stderr == ""


def test_json_mode_keeps_stdout_pure_on_a_terminal(slow_emu: ThreadedEmulator) -> None:
    """--json with stdout piped and stderr on a terminal: JSON on stdout, the live display on stderr."""
    (cid,) = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 1))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    args = ["sync", cid, "--date-limit", "2026-01-01", "--wait", "--json", "--poll-interval", "0.1"]
    proc = subprocess.Popen([*cli_command(), *args], stdout=subprocess.PIPE, stderr=slave,
                            env=cli_env(slow_emu.base_url, TERM="xterm"))  # fmt: skip
    os.close(slave)
    stdout, _ = proc.communicate(timeout=60)
    seen = b""
    while select.select([master], [], [], 0)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.returncode == 0
    (row,) = [json.loads(line) for line in stdout.decode().splitlines()]
    assert row["result"] == "success"
    assert b"polls" in seen


def test_emulator_command_serves_another_cli_process() -> None:
    server = subprocess.Popen(
        [*cli_command(), "emulator", "--port", "0", "--json", "--sync-duration", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        info = json.loads(first)
        assert info["base_url"].startswith("http://127.0.0.1:")
        env = {**os.environ, "BIGDATA_API_KEY": info["api_key"], "BIGDATA_BASE_URL": info["base_url"], "SP": "s-1"}

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*cli_command(), *args], env=env, capture_output=True, text=True, timeout=60,
                                  check=False)  # fmt: skip

        created = cli("create", "--type", "sharepoint", "--label", "Site", "--session-id-env", "SP", "--json")
        assert created.returncode == 0, created.stderr
        cid = json.loads(created.stdout)["connector_id"]
        synced = cli("sync", cid, "--wait", "--poll-interval", "0.05", "--json")
        assert synced.returncode == 0, synced.stderr
        assert json.loads(synced.stdout)["result"] == "success"
        started = cli("sync", cid, "--json")  # one process starts a sync ...
        token = json.loads(started.stdout)["token"]
        resumed = cli("sync", "--resume", token, "--poll-interval", "0.05", "--json")  # ... another waits for it
        assert resumed.returncode == 0, resumed.stderr
        assert json.loads(resumed.stdout)["result"] == "success"
        listed = [json.loads(line) for line in cli("list", "--json").stdout.splitlines()]
        assert [(c["connector_id"], c["last_sync_status"]) for c in listed] == [(cid, "SUCCESS")]
    finally:
        server.send_signal(signal.SIGINT)
        code = server.wait(10)
        if server.stdout is not None:
            server.stdout.close()
        if server.stderr is not None:
            server.stderr.close()
    assert code == 0


def test_help_loads_neither_the_sdk_client_nor_rich() -> None:
    code = (
        "import sys\n"
        "from bigdata_connectors.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "heavy = ['aiohttp', 'pydantic', 'rich', 'tenacity', 'bigdata_connectors._client',"
        " 'bigdata_connectors._generated.models', 'bigdata_connectors.testing']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_the_core_does_not_import_the_cli() -> None:
    code = (
        "import sys, bigdata_connectors\n"
        "from bigdata_connectors import BigdataClient, Connector\n"
        "print([m for m in ('bigdata_connectors.cli', 'click', 'rich') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
