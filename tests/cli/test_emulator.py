"""One emulator front-end: ``bigdata-connectors emulator`` and ``python -m bigdata_connectors.testing`` take the
same options from one definition, serve alike, and ``--env`` serves in the background so ``eval "$(...)"``
returns (tested in bash)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bigdata_connectors.cli._emulator_cmd import emulator_cmd
from bigdata_connectors.testing import EMULATOR_OPTIONS
from bigdata_connectors.testing._options import parser
from tests.cli.conftest import cli_command
from tests.cli.terminal import shell

FRONT_ENDS = {
    "cli": [*cli_command(), "emulator"],
    "module": [sys.executable, "-m", "bigdata_connectors.testing"],
}
EVERY_OPTION = [
    "--port", "0", "--host", "127.0.0.1", "--api-key", "emu-key-1", "--sync-duration", "0.1", "--sync-items", "3",
    "--document-lag", "0", "--document-processing", "0", "--force-delete-delay", "0.1", "--list-lag", "0",
    "--fault-rate", "0", "--rate-limit", "1000", "--seed", "7", "--preload", "2",
]  # fmt: skip


def env_without_bigdata() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BIGDATA_")}


def test_both_front_ends_declare_the_same_options() -> None:
    declared = {option.name for option in EMULATOR_OPTIONS}
    module = {s for action in parser("x")._actions for s in action.option_strings} - {"-h", "--help"}
    cli = {o for p in emulator_cmd.params if not getattr(p, "hidden", False) for o in p.opts} - {"-h", "--help"}
    assert module == cli == declared
    assert {"--list-lag", "--tls", "--rate-limit", "--api-key", "--fault-rate", "--json", "--env", "--sync-duration",
            "--preload", "--seed", "--port", "--host"} <= declared  # fmt: skip


@pytest.mark.parametrize("argv", [[], [*EVERY_OPTION, "--json", "--tls"], ["--port", "9000", "--env"]])
def test_both_front_ends_read_the_same_values(argv: list[str]) -> None:
    from_module = vars(parser("x").parse_args(argv))
    context = emulator_cmd.make_context("emulator", list(argv))
    from_cli = {k: v for k, v in context.params.items()}
    assert from_cli == from_module


def test_both_refuse_the_same_values() -> None:
    for argv in (["--port", "70000"], ["--fault-rate", "2"], ["--host", "0.0.0.0"], ["--preload", "-1"]):
        for command in FRONT_ENDS.values():
            result = subprocess.run([*command, *argv], capture_output=True, text=True, timeout=60, check=False)
            assert result.returncode == 2, (command, argv)


@contextmanager
def serving(command: list[str], *argv: str) -> Iterator[dict[str, Any]]:
    server = subprocess.Popen([*command, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env_without_bigdata())  # fmt: skip
    try:
        assert server.stdout is not None
        yield json.loads(server.stdout.readline())
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(10)
        for stream in (server.stdout, server.stderr):
            if stream is not None:
                stream.close()
    assert code == 0


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
def test_every_option_works_in_both(front_end: str) -> None:
    with serving(FRONT_ENDS[front_end], *EVERY_OPTION, "--json") as info:
        assert info["api_key"] == "emu-key-1"
        env = {**env_without_bigdata(), "BIGDATA_API_KEY": info["api_key"], "BIGDATA_BASE_URL": info["base_url"]}
        listed = subprocess.run([*cli_command(), "list", "--json"], env=env, capture_output=True, text=True,
                                timeout=60, check=True)  # fmt: skip
        assert len(listed.stdout.splitlines()) == 2  # --preload 2


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
def test_tls_prints_the_ca_to_trust(front_end: str) -> None:
    with serving(FRONT_ENDS[front_end], "--port", "0", "--tls", "--json") as info:
        assert info["base_url"].startswith("https://")
        env = {**env_without_bigdata(), "BIGDATA_API_KEY": info["api_key"], "BIGDATA_BASE_URL": info["base_url"],
               "SSL_CERT_FILE": info["ca_path"]}  # fmt: skip
        listed = subprocess.run([*cli_command(), "list"], env=env, capture_output=True, text=True, timeout=60,
                                check=False)  # fmt: skip
        assert listed.returncode == 0, listed.stderr


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("front_end", ["bigdata-connectors emulator", "python -m bigdata_connectors.testing"])
def test_eval_env_returns_and_the_emulator_serves_in_the_background(front_end: str) -> None:
    script = f"""
    set -e
    eval "$({front_end} --port 0 --preload 1 --env)"
    echo "pid=$BIGDATA_EMULATOR_PID"
    bigdata-connectors list --json
    kill "$BIGDATA_EMULATOR_PID"
    """
    env = {**env_without_bigdata(), "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    result = shell(script, env, timeout=60)
    assert result.returncode == 0, result.stderr
    pid_line, listed = result.stdout.splitlines()
    assert json.loads(listed)["label"] == "preloaded 0"
    assert "in the background" in result.stderr
    assert "stop it with: kill" in result.stderr
    assert _gone(int(pid_line.removeprefix("pid=")))


def test_env_prints_exports_and_how_to_stop() -> None:
    result = subprocess.run([*FRONT_ENDS["cli"], "--port", "0", "--env"], capture_output=True, text=True, timeout=60,
                            env=env_without_bigdata(), check=True)  # fmt: skip
    base, key, pid = result.stdout.splitlines()
    try:
        assert base.startswith("export BIGDATA_BASE_URL=http://127.0.0.1:")
        assert key.startswith("export BIGDATA_API_KEY=emulator-")
        assert pid.startswith("export BIGDATA_EMULATOR_PID=")
        assert pid.endswith("# stop the emulator with: kill $BIGDATA_EMULATOR_PID")
    finally:
        number = int(pid.split("=")[1].split()[0])
        os.kill(number, signal.SIGTERM)
        assert _gone(number)


def test_a_port_in_use_is_said_plainly() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for command in FRONT_ENDS.values():
            for mode in ("--json", "--env"):
                result = subprocess.run([*command, "--port", port, mode], capture_output=True, text=True, timeout=60,
                                        env=env_without_bigdata(), check=False)  # fmt: skip
                assert result.returncode == 2, (command, mode, result.stderr)
                assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in result.stderr
                assert "Traceback" not in result.stderr
                assert result.stdout == ""
