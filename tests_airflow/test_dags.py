"""Whole DAG runs in one process with ``dag.test()`` on real Airflow: the task starts the sync, defers,
Airflow serialises the trigger, runs it inline (as its triggerer would) and resumes the task with the
event; or, not deferrable, the task waits in the worker. The emulator serves from its own thread; the
connection comes from ``AIRFLOW_CONN_BIGDATA_DEFAULT``."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest
from airflow.sdk import DAG

from bigdata_connectors import BigdataClient
from tests_airflow.conftest import API_KEY, DAGS, ROOT, ThreadedEmulator

T = TypeVar("T")
TEST_DAGS = ROOT / "tests_airflow" / "dags" / "bigdata_test_dags.py"
EXAMPLE = ROOT / "examples" / "airflow" / "broker_feed_dag.py"
DATE = "2026-01-02"


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"dagfile_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dag_files(airflow_db: None) -> dict[str, ModuleType]:
    """The DAG files, in the DAG folder (dag.test() needs them parsed into the metadata DB) and imported."""
    for path in (TEST_DAGS, EXAMPLE):
        if path.exists():
            shutil.copy(path, DAGS / path.name)
    return {"tests": load(TEST_DAGS)}


@pytest.fixture
def served(threaded_emulator: ThreadedEmulator, bigdata_connection: Callable[[str], None]) -> ThreadedEmulator:
    bigdata_connection(threaded_emulator.emulator.base_url)
    return threaded_emulator


def on_emulator(served: ThreadedEmulator, work: Callable[[BigdataClient], Awaitable[T]]) -> T:
    """Run ``work`` with a client on the emulator's own loop (the test thread is dag.test()'s)."""

    async def go() -> T:
        async with BigdataClient(API_KEY, base_url=served.emulator.base_url) as client:
            return await work(client)

    return served.call(go)


def new_broker(served: ThreadedEmulator) -> str:
    async def create(client: BigdataClient) -> str:
        created = await client.connectors.create(
            type="investment_research",
            label="Broker feed",
            config={"user_id": "analyst@broker.example", "user_password": "pw-not-a-secret-here"},
        )
        return str(created.connector_id)

    return on_emulator(served, create)


def run(dag: DAG, conf: dict[str, Any]) -> tuple[str, dict[str, tuple[str, Any]]]:
    """dag.test() once; the run's state and, per task, its state and returned XCom."""
    dr = dag.test(run_conf=conf)
    tasks = {ti.task_id: (str(ti.state), ti.xcom_pull(task_ids=ti.task_id)) for ti in dr.get_task_instances()}
    return str(dr.state), tasks


# ---------------------------------------------------------------- the sensor


@pytest.mark.parametrize("deferrable", [True, False], ids=["deferrable", "in-worker"])
def test_sensor_waits_for_a_sync_started_elsewhere(
    dag_files: dict[str, ModuleType], served: ThreadedEmulator, deferrable: bool, capfd: pytest.CaptureFixture[str]
) -> None:
    cid = new_broker(served)
    after = datetime.now(UTC).isoformat()
    on_emulator(served, lambda c: c.connectors.trigger_sync(cid, date_limit=DATE))
    dag = dag_files["tests"].deferrable_sensor_dag if deferrable else dag_files["tests"].inline_sensor_dag
    state, tasks = run(dag, {"connector_id": cid, "after": after})
    assert state == "success"
    task_state, summary = tasks["wait"]
    assert task_state == "success"
    assert summary["connector_id"] == cid
    assert summary["status"] == "SUCCESS"
    out = capfd.readouterr()
    assert API_KEY not in out.out + out.err
