"""Errors as people read them, through real pipes and a real terminal: flags not parameters, no class names, a
refused connection said at once and plainly, an API that dies mid-wait shown live and ending with the command
that waits again, a timed-out sync without the previous sync's figures, and one exit code per kind of failure."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bigdata_connectors import CreateOutcomeUnknownError, NotFoundError
from bigdata_connectors.cli._exit import ExitCode, describe
from tests.cli.conftest import ThreadedEmulator, assert_no_canary, cli_command, cli_env
from tests.cli.terminal import Terminal, plain

CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z]+(Error|Exception)\b")
ID = "019a9612-bfad-758c-884e-37dd8c6ad2cb"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*cli_command(), *args], env=env, capture_output=True, text=True, timeout=90, check=False)
    assert_no_canary(result.stdout, result.stderr)
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def slow_emu() -> Iterator[ThreadedEmulator]:
    server = ThreadedEmulator(sync_duration=60.0, seed=3)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_errors_name_flags_not_parameters(emu: ThreadedEmulator) -> None:
    (cid,) = (str(i) for i in emu.call(emu.emulator.preload, 1))
    env = cli_env(emu.base_url)
    for args in (["sync", cid, "--wait"], ["sync", cid], ["sync", cid, cid, "--wait"]):
        result = cli(env, *args)
        assert result.returncode == ExitCode.USAGE, result.stderr
        assert "--date-limit" in result.stderr
        assert "date_limit" not in result.stderr
    bad_id = cli(env, "get", "not-a-uuid")
    assert "connector_id" not in bad_id.stderr
    assert "ID must be a UUID" in bad_id.stderr


def test_class_names_never_reach_the_user(emu: ThreadedEmulator) -> None:
    (cid,) = (str(i) for i in emu.call(emu.emulator.preload, 1))
    env = cli_env(emu.base_url)
    missing = cli(env, "get", ID)
    several = cli(env, "sync", cid, ID, "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.05")
    assert several.returncode == ExitCode.NOT_FOUND
    assert re.search(rf"^preloaded 0 +{cid} +SUCCESS", several.stdout, re.M)
    assert re.search(rf"^ +{ID} +error: not found", several.stdout, re.M)
    for result in (missing, several):
        assert not CLASS_NAME.search(result.stdout + result.stderr), result.stdout + result.stderr


def test_descriptions_without_class_names() -> None:
    assert describe(RuntimeError("the disk is full")) == (
        ExitCode.ERROR,
        "unexpected error: the disk is full (rerun with --debug for the details)",
    )
    assert describe(KeyError())[1] == "unexpected error (rerun with --debug for the details)"
    lost = CreateOutcomeUnknownError("Inbox", NotFoundError("gone", status_code=404, request_id="r-1"))
    code, message = describe(lost)
    assert code == ExitCode.CONFLICT
    assert "404 gone" in message
    assert not CLASS_NAME.search(message)


def test_a_refused_connection_is_said_at_once_and_plainly() -> None:
    port = free_port()  # nothing listens there
    env = cli_env(f"http://127.0.0.1:{port}", TERM="xterm")
    terminal = Terminal(["list"], env)
    terminal.expect(b"trying again")
    assert terminal.proc.poll() is None  # said while the retries are still going on
    code, out = terminal.finish()
    assert code == ExitCode.UNAVAILABLE
    notice, error = plain(out).splitlines()
    assert (
        notice == f"bigdata-connectors: no connection to http://127.0.0.1:{port} (connection refused); trying again..."
    )
    assert re.fullmatch(
        rf"bigdata-connectors: error: could not connect to http://127.0.0.1:{port} \(connection refused; "
        r"4 attempts over \d+\.\ds\)",
        error,
    )
    assert "ssl:default" not in out
    assert not CLASS_NAME.search(out)
    piped = cli(env, "get", ID, "--json")  # the same through a pipe, and with --json
    assert piped.returncode == ExitCode.UNAVAILABLE
    assert piped.stdout == ""
    assert piped.stderr.splitlines()[-1].startswith(
        f"bigdata-connectors: error: could not connect to http://127.0.0.1:{port}"
    )


def _resume(env: dict[str, str], command: str) -> subprocess.CompletedProcess[str]:
    return cli(env, *command.split()[1:], "--poll-interval", "0.05", "--json")


def test_the_api_dying_mid_wait_is_shown_live_and_the_exit_says_how_to_wait_again(slow_emu: ThreadedEmulator) -> None:
    """Whether the SDK gives up on the poll (APIConnectionError, exit 8) or rides the failures out until the
    deadline (SyncTimeoutError, exit 11), the line shows the API unreachable, and the end says the sync goes on
    and prints the command that waits for it again."""
    (cid,) = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 1))
    env = cli_env(slow_emu.base_url, TERM="xterm")
    args = ["sync", cid, "--date-limit", "2026-01-01", "--wait", "--timeout", "8", "--poll-interval", "0.1"]
    terminal = Terminal(args, env)
    terminal.expect(b"2 polls")
    slow_emu.go_down()
    terminal.expect(b"API unreachable")
    assert terminal.proc.poll() is None  # live: it says so while it retries
    code, out = terminal.finish(timeout=90)
    text = plain(out)
    assert code in (ExitCode.UNAVAILABLE, ExitCode.SYNC_TIMEOUT), text
    error, intro, command = text.splitlines()[-3:]
    assert error.startswith(f"bigdata-connectors: error: {cid}: ")
    assert f"could not connect to {slow_emu.base_url} (connection refused; " in error
    assert error.endswith("the sync goes on on the server")
    assert intro == "To wait for it again, here or anywhere:"
    assert re.fullmatch(r"bigdata-connectors sync --resume bdsync2(?:\.[0-9a-f-]+)+", command)
    assert "ssl:default" not in out
    assert not CLASS_NAME.search(text)
    assert re.search(rf"{cid} +error: API unreachable|{cid} +timed out: (PENDING|RUNNING)", text)
    assert re.search(r"(PENDING|RUNNING) · API unreachable \(connection refused\), retry \d", out)
    slow_emu.come_back()  # the sync went on on the server: the printed command sees it end
    slow_emu.finish_syncs()
    resumed = _resume(env, command)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["result"] == "success"


def test_a_wait_cut_short_by_its_deadline_while_the_api_is_down(slow_emu: ThreadedEmulator) -> None:
    """The deadline stops the retries: a timeout (11) that says the API was unreachable at the end."""
    (cid,) = (str(i) for i in slow_emu.call(slow_emu.emulator.preload, 1))
    env = cli_env(slow_emu.base_url)
    started = json.loads(cli(env, "sync", cid, "--date-limit", "2026-01-01", "--json").stdout)
    slow_emu.go_down()
    result = cli(env, "sync", "--resume", started["token"], "--timeout", "2", "--json")
    assert result.returncode == ExitCode.SYNC_TIMEOUT, result.stderr
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["result"] == "timed_out"
    assert row["token"]
    error, _intro, command = result.stderr.splitlines()[-3:]
    assert "not finished after" in error
    assert f"the API was unreachable: could not connect to {slow_emu.base_url}" in error
    assert "ssl:default" not in result.stderr
    slow_emu.come_back()
    slow_emu.finish_syncs()
    assert _resume(env, command).returncode == 0


def test_a_timed_out_summary_shows_no_earlier_figures(emu: ThreadedEmulator) -> None:
    (cid,) = (str(i) for i in emu.call(emu.emulator.preload, 1))
    emu.emulator.sync_items = 42
    env = cli_env(emu.base_url)
    first = cli(env, "sync", cid, "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.05")
    assert re.search(rf"{cid} +SUCCESS +42 +42 ", first.stdout), first.stdout
    emu.emulator.sync_duration = 30.0
    late = cli(env, "sync", cid, "--date-limit", "2026-01-01", "--wait", "--timeout", "0.5", "--poll-interval", "0.05")
    assert late.returncode == ExitCode.SYNC_TIMEOUT
    _header, _rule, row = late.stdout.splitlines()
    match = re.fullmatch(rf"preloaded 0 +{cid} +timed out: (PENDING|RUNNING) +(\d+\.\d)s +\d+", row)
    assert match, row  # no ITEMS, no FILES: the previous sync's are not this one's
    assert 0.5 <= float(match.group(2)) < 5  # how long this command waited


def test_an_unset_secret_variable_is_exit_3_in_every_command(emu: ThreadedEmulator, tmp_path: Path) -> None:
    path = tmp_path / "connectors.yaml"
    path.write_text("connectors:\n  - label: B\n    type: investment_research\n"
                    "    config: {user_id: me, password_env: UNSET_PASSWORD}\n")  # fmt: skip
    env = cli_env(emu.base_url)
    env.pop("UNSET_PASSWORD", None)
    for args in (
        [
            "create",
            "--type",
            "investment_research",
            "--label",
            "B",
            "--user-id",
            "me",
            "--password-env",
            "UNSET_PASSWORD",
        ],
        ["plan", "-f", str(path)],
        ["apply", "-f", str(path), "--yes"],
    ):
        result = cli(env, *args)
        assert result.returncode == ExitCode.CONFIG, (args, result.stderr)
        assert "UNSET_PASSWORD" in result.stderr
        assert len(result.stderr.splitlines()) == 1
    assert emu.emulator.created == 0
    path.write_text("connectors:\n  - label: B\n    type: fax\n")
    assert cli(env, "plan", "-f", str(path)).returncode == ExitCode.USAGE  # an invalid file stays a usage error
