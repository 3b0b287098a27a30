"""A real Airflow deployment for the tests that need one: api-server (the execution API workers talk to),
scheduler (LocalExecutor), dag-processor and triggerer, each its own process, sharing the test session's
AIRFLOW_HOME and sqlite database (set up by conftest.py). ``Stack.restart("triggerer")`` kills one
component and starts it again; ``stop()`` ends every process it started, and only those: each carries this
stack's mark in its environment or holds one of its files open, so a task process that outlived its supervisor
(reparented to init, in no group the stack started) is found and ended too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]  # no stubs in the Airflow virtualenv

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
MARK = "BIGDATA_TEST_STACK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(
    check: Callable[[], Any], timeout: float, what: str, every: float = 0.25, diagnose: Callable[[], Any] | None = None
) -> Any:
    """Poll ``check`` until it returns a truthy value (returned); AssertionError naming ``what`` (and what
    ``diagnose()`` returns then) on timeout."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(
                f"timed out after {timeout:g} s waiting for {what}" + (f": {diagnose()}" if diagnose else "")
            )
        time.sleep(every)


class Stack:
    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.port = free_port()
        self.env = {
            **os.environ,
            **env,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "120",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "2",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "2",
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
            "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "10",
            "PYTHONUNBUFFERED": "1",
            MARK: uuid.uuid4().hex,  # inherited by every process the stack starts, however it detaches
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.logs = home / "stack-logs"
        self.logs.mkdir(exist_ok=True)

    def start(self, name: str) -> None:
        airflow = str(Path(sys.executable).parent / "airflow")
        with (self.logs / f"{name}.log").open("ab") as out:  # the child keeps its own descriptor
            self.procs[name] = subprocess.Popen(
                [airflow, name], env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def start_all(self) -> None:
        for name in COMPONENTS:
            self.start(name)
        wait_until(self._api_up, 90, "the api-server")

    def _api_up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)  # the component and the processes it started (its own session)
        proc.wait(timeout=30)

    def restart(self, name: str) -> None:
        self.kill(name)
        self.start(name)

    def stop(self) -> None:
        for name in list(self.procs):
            proc = self.procs[name]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for name in list(self.procs):
            proc = self.procs.pop(name)
            try:
                proc.wait(timeout=5)  # a scheduler waits for its running tasks; the tests need no graceful end
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        strays = self.strays()
        for process in strays:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(strays, timeout=10)

    def strays(self) -> list[psutil.Process]:
        """Processes still alive that this stack started, wherever they were reparented: they carry its mark in
        their environment or, once ``setproctitle`` has written over that (Airflow's task processes), hold a file
        of this deployment open (its database, a log)."""
        home = str(self.home)
        found = []
        for process in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if process.pid == os.getpid():
                    continue
                if process.environ().get(MARK) == self.env[MARK] or any(
                    f.path.startswith(home) for f in process.open_files()
                ):
                    found.append(process)
        return found

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def airflow(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """The ``airflow`` command line against this deployment's database."""
        airflow = str(Path(sys.executable).parent / "airflow")
        return subprocess.run(
            [airflow, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
