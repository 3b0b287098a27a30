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
from collections.abc import Iterator

import pytest

from tests.cli.conftest import ThreadedEmulator, assert_no_canary, cli_command, cli_env
from tests.cli.terminal import CTRL_C, Terminal, run_in_pty
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
    """One Ctrl-C typed at the terminal ends the wait; the sync goes on, and the command to wait again is printed."""
    (cid,) = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 1))
    slow_emu.emulator.sync_duration = 60.0
    env = cli_env(slow_emu.base_url, TERM="xterm")
    terminal = Terminal(["sync", cid, "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.1"], env)
    terminal.expect(b"2 polls")
    terminal.type(CTRL_C)
    code, out = terminal.finish()
    assert code == 130
    *_, said, intro, command = out.rstrip().splitlines()
    assert said.endswith("bigdata-connectors: interrupted (the syncs already started go on on the server)")
    assert intro == "To wait for them again, here or anywhere:"
    assert re.fullmatch(r"bigdata-connectors sync --resume bdsync2(?:\.[0-9a-f-]+)+", command)
    assert "Traceback" not in out
    assert "\x1b[?25h" in out  # the cursor is shown again
    slow_emu.finish_syncs()  # the sync went on: waiting again, with the command printed, sees it end
    resumed = subprocess.run([*cli_command(), *command.split()[1:], "--poll-interval", "0.05", "--json"], env=env,
                             capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["result"] == "success"
    assert slow_emu.emulator.requests["sync"] == 1


def test_delete_asks_on_a_real_terminal(slow_emu: ThreadedEmulator) -> None:
    keep, gone = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 2))
    env = cli_env(slow_emu.base_url, TERM="xterm")
    terminal = Terminal(["delete", keep, "--force"], env)
    terminal.expect(b"[y/N]")
    terminal.type(b"n\r")
    code, out = terminal.finish()
    assert code == 2
    assert "Delete connector 'preloaded 0'" in out
    assert "not deleted" in out
    terminal = Terminal(["delete", gone, "--force"], env)
    terminal.expect(b"[y/N]")
    terminal.type(b"y\r")
    code, out = terminal.finish()
    assert code == 0, out
    assert "accepted" in out
    assert slow_emu.emulator.requests["delete"] == 1


def test_a_prompted_password_is_not_echoed(slow_emu: ThreadedEmulator) -> None:
    env = cli_env(slow_emu.base_url, TERM="xterm")
    args = ["create", "--type", "investment_research", "--label", "Broker", "--user-id", "me@broker.com"]
    terminal = Terminal(args, env)
    terminal.expect(b"Portal password:")
    terminal.type(PASSWORD.encode() + b"\r")
    code, out = terminal.finish()
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
        "heavy = ['aiohttp', 'pydantic', 'rich', 'tenacity', 'yaml', 'bigdata_connectors._client',"
        " 'bigdata_connectors._generated.models', 'bigdata_connectors.testing._emulator']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_api_commands_load_only_what_they_need(slow_emu: ThreadedEmulator) -> None:
    """`list` and `get` need the SDK, not rich (the live display), PyYAML (connectors files) or the emulator."""
    code = (
        "import sys\n"
        "from bigdata_connectors.cli import main\n"
        "for args in (['list'], ['list', '--json']):\n"
        "    try:\n        main(args)\n    except SystemExit as e:\n        assert e.code == 0, e.code\n"
        "heavy = ['rich', 'yaml', 'bigdata_connectors.testing._emulator', 'aiohttp.web', 'argparse',"
        " 'bigdata_connectors._generated.request_models']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = cli_env(slow_emu.base_url)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_the_core_does_not_import_the_cli() -> None:
    code = (
        "import sys, bigdata_connectors\n"
        "from bigdata_connectors import BigdataClient, Connector\n"
        "print([m for m in ('bigdata_connectors.cli', 'click', 'rich') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
