"""Real Airflow (from .venv-airflow), isolated: its home, metadata DB and DAG folder live in a temporary
directory made before Airflow is first imported (Airflow reads its configuration at import time).

Fixtures: ``emulator`` (in the test's event loop, for the trigger tests), ``threaded_emulator`` (on its
own thread and loop, for ``dag.test()``, which blocks the calling thread and runs triggers with
``asyncio.run``), ``bigdata_connection`` (the emulator as ``AIRFLOW_CONN_BIGDATA_DEFAULT``),
``airflow_db`` (a migrated sqlite metadata DB, once per session).
"""

from __future__ import annotations

import asyncio
import base64
import gc
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest

# Before anything imports Airflow. tmpfs when there is one: sqlite's fsyncs make migrations 3x slower on disk.
_SHM = Path("/dev/shm")
HOME = Path(tempfile.mkdtemp(prefix="bigdata-airflow-", dir=_SHM if os.access(_SHM, os.W_OK) else None))
DAGS = HOME / "dags"
DAGS.mkdir()
os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(HOME / "logs"),
        # Connections stored in the database are encrypted, as in a deployment; one key and one JWT secret
        # for this process and every Airflow component a real-stack test starts.
        "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "AIRFLOW__API_AUTH__JWT_SECRET": os.urandom(16).hex(),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        # OpenLineage's listener registers at start-up only if a transport is configured: every event to a file.
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(HOME / "openlineage.jsonl"), "append": True}
        ),
    }
)
OPENLINEAGE_EVENTS = HOME / "openlineage.jsonl"

from bigdata_connectors.testing import Emulator  # noqa: E402  (after the environment is set)

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "airflow-test-key-CANARY-5be1"  # a canary: must appear in no event, XCom, log line or error
CONN_VAR = "AIRFLOW_CONN_BIGDATA_DEFAULT"
T = TypeVar("T")


def pytest_configure(config: pytest.Config) -> None:
    # Airflow's in-process execution API imports starlette.testclient, which warns that httpx (what
    # Airflow pins) should become httpx2. Not ours to fix; every other warning stays an error.
    config.addinivalue_line(
        "filterwarnings", "ignore:Using `httpx` with `starlette.testclient` is deprecated:UserWarning"
    )
    # Airflow 3.1.8 with the providers pinned beside it warns about itself (its common-compat provider,
    # its SQLAlchemy mappings). Not ours either.
    config.addinivalue_line("filterwarnings", "ignore:The `airflow.operators.branch.BaseBranchOperator` attribute")
    config.addinivalue_line("filterwarnings", "ignore:The ``noload`` loader strategy is deprecated")
    config.addinivalue_line("filterwarnings", "ignore:The anyio.abc.BlockingPortal alias is deprecated")
    config.addinivalue_line("filterwarnings", "ignore:'HTTP_422_UNPROCESSABLE_ENTITY' is deprecated")


def pytest_collection_finish(session: pytest.Session) -> None:
    # Airflow's import leaves a large heap; freeze it so each test's gc.collect() (the leak guard
    # below) scans only what the test made: seconds per test become milliseconds.
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    if os.environ.get("BIGDATA_KEEP_AIRFLOW_HOME"):  # debugging a real-stack test: its logs stay
        print(f"Airflow home kept: {HOME}")
        return
    shutil.rmtree(HOME, ignore_errors=True)


def connection_json(base_url: str, api_key: str = API_KEY) -> str:
    """The ``bigdata`` connection in Airflow's JSON form, the base URL in ``host``."""
    return json.dumps({"conn_type": "bigdata", "host": base_url, "password": api_key})


# ---------------------------------------------------------------- emulators


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """An emulator in the test's own event loop, with syncs of 0.3 s."""
    async with Emulator(api_key=API_KEY, seed=0, sync_duration=0.3) as emu:
        yield emu


class ThreadedEmulator:
    """An Emulator served from its own thread and event loop; ``call`` runs a coroutine there."""

    def __init__(self, **kwargs: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="emulator", daemon=True)
        self.thread.start()
        self.emulator = Emulator(api_key=API_KEY, seed=0, **kwargs)
        self.call(self.emulator.start)

    def call(self, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        return asyncio.run_coroutine_threadsafe(factory(), self.loop).result(timeout=30)

    def close(self) -> None:
        self.call(self.emulator.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def threaded_emulator() -> Iterator[ThreadedEmulator]:
    served = ThreadedEmulator(sync_duration=0.3)
    try:
        yield served
    finally:
        served.close()


@pytest.fixture
def bigdata_connection(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Point ``AIRFLOW_CONN_BIGDATA_DEFAULT`` at a base URL (the way users configure it in deployments)."""

    def point_at(base_url: str) -> None:
        monkeypatch.setenv(CONN_VAR, connection_json(base_url))

    return point_at


# ---------------------------------------------------------------- Airflow's metadata DB


@pytest.fixture(scope="session")
def airflow_db() -> None:
    from airflow.utils import db

    db.initdb()


TEST_DAGS = ROOT / "tests_airflow" / "dags" / "bigdata_test_dags.py"
EXAMPLES = ROOT / "examples" / "airflow"


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"dagfile_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def dag_files(airflow_db: None) -> dict[str, ModuleType]:
    """The DAG files, in the DAG folder (dag.test() needs them parsed into the metadata DB) and imported."""
    files = {
        "tests": TEST_DAGS,
        "example": EXAMPLES / "broker_feed_dag.py",
        "watcher": EXAMPLES / "new_research_dag.py",
    }
    for path in files.values():
        shutil.copy(path, DAGS / path.name)
    return {name: load(path) for name, path in files.items()}


def store_connection(conn_id: str, base_url: str, api_key: str = API_KEY, extra: str | None = None) -> None:
    """A ``bigdata`` connection in Airflow's metadata database (password encrypted with the Fernet key), as
    the UI or ``airflow connections add`` stores it; replaces one of the same id."""
    from airflow.models import Connection
    from airflow.utils.session import create_session

    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == conn_id).delete()
        session.add(Connection(conn_id=conn_id, conn_type="bigdata", host=base_url, password=api_key, extra=extra))


def metadata_rows_with(needle: str) -> list[str]:
    """Every table and column of the metadata database whose text holds ``needle`` (the canary key)."""
    import sqlite3

    found = []
    with sqlite3.connect(HOME / "airflow.db") as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info('{table}')")]
            for column in columns:
                hits = db.execute(
                    f"SELECT count(*) FROM '{table}' WHERE CAST(\"{column}\" AS TEXT) LIKE ?", (f"%{needle}%",)
                )
                if hits.fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


# ---------------------------------------------------------------- guards


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.getMessage()} {record.exc_text or ''}")


@pytest.fixture(autouse=True)
def log_records() -> Iterator[Records]:
    """Every stdlib log record of the test; the API key must be in none, and no aiohttp session may
    be left unclosed (aiohttp reports those through asyncio's logger, from ``__del__``)."""
    records = Records()
    root = logging.getLogger()
    sdk = logging.getLogger("bigdata_connectors")
    previous = sdk.level
    sdk.setLevel(logging.DEBUG)
    root.addHandler(records)
    try:
        yield records
        gc.collect()
        gc.freeze()  # what survives is checked; the next test's collection scans only its own objects
    finally:
        root.removeHandler(records)
        sdk.setLevel(previous)
    assert not [line for line in records.lines if API_KEY in line], "the API key reached a log record"
    assert not [line for line in records.lines if "Unclosed" in line], "an aiohttp session was left open"
