"""CLI test setup: an emulator on a background thread (the CLI runs its own event loop per command),
and ``invoke``, which runs a command through click's CliRunner and checks no canary secret is printed."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bigdata_connectors.cli import cli
from bigdata_connectors.testing import Emulator
from tests import threaded
from tests.conftest import API_KEY, CANARIES


class ThreadedEmulator(threaded.ThreadedEmulator):
    """An Emulator (with the test key) on its own thread, which a test can stop serving and start again."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Emulator(api_key=API_KEY, **kwargs))

    def finish_syncs(self) -> None:
        """Make every running sync end at its next read (its duration was fixed when it was triggered)."""

        def now() -> None:
            for connector in self.emulator.state.connectors.values():
                if connector.sync is not None:
                    connector.sync.duration = 0.0

        self.call(now)

    def go_down(self) -> None:
        """Stop serving (connections are refused from now on); the connectors stay in memory."""
        asyncio.run_coroutine_threadsafe(self.emulator.stop(), self.loop).result(10)

    def come_back(self) -> None:
        """Serve again, on the same port, with the same connectors."""
        asyncio.run_coroutine_threadsafe(self.emulator.start(), self.loop).result(10)


@pytest.fixture
def emu() -> Iterator[ThreadedEmulator]:
    server = ThreadedEmulator(sync_duration=0.2, force_delete_delay=0.05, seed=1)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def assert_no_canary(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text, "a secret was printed"


class Invoker:
    """``invoke("list", "--json")``: the command's Result, with the environment pointing at the emulator."""

    def __init__(self, emu: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
        self.emu = emu
        monkeypatch.setenv("BIGDATA_API_KEY", API_KEY)
        monkeypatch.setenv("BIGDATA_BASE_URL", emu.base_url)
        monkeypatch.delenv("NO_COLOR", raising=False)

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str | None] | None = None) -> Result:
        result = CliRunner(env=env).invoke(cli, list(args), input=input, catch_exceptions=False)
        assert_no_canary(result.stdout, result.stderr)
        return result


@pytest.fixture
def invoke(emu: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch) -> Invoker:
    return Invoker(emu, monkeypatch)


def cli_command() -> list[str]:
    """The installed console script (as users run it), else ``python -m bigdata_connectors.cli``."""
    script = Path(sys.executable).parent / "bigdata-connectors"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bigdata_connectors.cli"]


def cli_env(base_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")}
    env.update(BIGDATA_API_KEY=API_KEY, BIGDATA_BASE_URL=base_url, **extra)
    return env
