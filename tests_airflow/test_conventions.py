"""Issue 23 under ``dag.test()`` and ``airflow dags test`` on real Airflow: connections stored in Airflow's
database, fire-and-forget with a token a sensor waits on, templated numbers, failures no retry can fix
(missing connection, connector deleted mid-wait) failing without retries, ``default_deferrable``, the
``execution_timeout`` refusal, and OpenLineage with the provider installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest

from bigdata_connectors.airflow import BigdataSyncOperator
from tests_airflow.conftest import API_KEY, CONN_VAR, OPENLINEAGE_EVENTS, ThreadedEmulator, store_connection
from tests_airflow.test_dags import new_broker, on_emulator, run

DATE = "2026-01-02"


@pytest.fixture
def served(threaded_emulator: ThreadedEmulator, bigdata_connection: Callable[[str], None]) -> ThreadedEmulator:
    bigdata_connection(threaded_emulator.emulator.base_url)
    return threaded_emulator


@pytest.fixture
def db_connection(
    airflow_db: None, threaded_emulator: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ThreadedEmulator]:
    """The connection in Airflow's database only: no AIRFLOW_CONN_ variable."""
    monkeypatch.delenv(CONN_VAR, raising=False)
    store_connection("bigdata_default", threaded_emulator.emulator.base_url)
    yield threaded_emulator
    store_connection("bigdata_default", "http://127.0.0.1:9")  # nothing listens: a later test must set its own


def task_try(dag_id: str, task_id: str = "sync") -> int:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        ti = (
            session.query(TaskInstance)
            .filter_by(dag_id=dag_id, task_id=task_id)
            .order_by(TaskInstance.start_date.desc())
            .first()
        )
        assert ti is not None
        return int(ti.try_number)


# ---------------------------------------------------------------- connections wherever Airflow keeps them


@pytest.mark.parametrize("deferrable", [True, False], ids=["deferrable", "in-worker"])
def test_a_database_connection_under_dag_test(
    dag_files: dict[str, ModuleType], db_connection: ThreadedEmulator, deferrable: bool
) -> None:
    cid = new_broker(db_connection)
    dag = dag_files["tests"].deferrable_dag if deferrable else dag_files["tests"].inline_dag
    state, tasks = run(dag, {"connector_id": cid, "date_limit": DATE})
    assert (state, tasks["sync"][0]) == ("success", "success")
    assert db_connection.emulator.requests["sync"] == 1


def test_a_database_connection_for_the_sensor_under_dag_test(
    dag_files: dict[str, ModuleType], db_connection: ThreadedEmulator
) -> None:
    from datetime import UTC, datetime

    cid = new_broker(db_connection)
    after = datetime.now(UTC).isoformat()
    on_emulator(db_connection, lambda c: c.connectors.trigger_sync(cid, date_limit=DATE))
    state, tasks = run(dag_files["tests"].deferrable_sensor_dag, {"connector_id": cid, "after": after})
    assert (state, tasks["wait"][0]) == ("success", "success")


def test_a_database_connection_under_airflow_dags_test(
    dag_files: dict[str, ModuleType], db_connection: ThreadedEmulator
) -> None:
    """The command line in its own process, the DAG deferring: the trigger finds the stored connection."""
    cid = new_broker(db_connection)
    airflow = str(Path(sys.executable).parent / "airflow")
    conf = json.dumps({"connector_id": cid, "date_limit": DATE})
    env = {k: v for k, v in os.environ.items() if k != CONN_VAR}
    done = subprocess.run(
        [airflow, "dags", "test", "bigdata_sync_deferrable", "--conf", conf],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "isn't defined" not in out
    assert db_connection.emulator.requests["sync"] == 1
    assert API_KEY not in out


def test_a_missing_connection_fails_at_once_without_retries(
    dag_files: dict[str, ModuleType], served: ThreadedEmulator
) -> None:
    cid = new_broker(served)
    state, tasks = run(dag_files["tests"].no_connection_dag, {"connector_id": cid})
    assert (state, tasks["sync"][0]) == ("failed", "failed")  # not up_for_retry: retries=2 untouched
    assert served.emulator.requests["sync"] == 0


# ---------------------------------------------------------------- failures classified once


@pytest.mark.parametrize("deferrable", [True, False], ids=["deferrable", "in-worker"])
def test_a_connector_deleted_mid_wait_fails_without_retries(
    dag_files: dict[str, ModuleType], served: ThreadedEmulator, deferrable: bool, capfd: pytest.CaptureFixture[str]
) -> None:
    served.emulator.sync_duration = 60
    cid = new_broker(served)

    # While dag.test() holds this thread, another force-deletes the connector through the API once the task
    # has triggered its sync and polled (Airflow 3.1's dag.test() takes a while to reach the task).
    def delete_mid_wait() -> None:
        deadline = time.monotonic() + 60
        while served.emulator.requests["get"] < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        on_emulator(served, lambda c: c.connectors.delete(cid, force=True))

    deleter = threading.Thread(target=delete_mid_wait)
    deleter.start()
    dag = dag_files["tests"].retrying_deferrable_dag if deferrable else dag_files["tests"].retrying_inline_dag
    try:
        state, tasks = run(dag, {"connector_id": cid})
    finally:
        deleter.join()
    assert (state, tasks["sync"][0]) == ("failed", "failed")  # not up_for_retry
    assert served.emulator.requests["sync"] == 1
    out = capfd.readouterr()
    assert "no retry can fix it" in out.out + out.err


# ---------------------------------------------------------------- the providers' conventions


def test_fire_and_forget_then_a_sensor_on_the_token(dag_files: dict[str, ModuleType], served: ThreadedEmulator) -> None:
    served.emulator.sync_items = 3
    cid = new_broker(served)
    state, tasks = run(dag_files["tests"].fire_and_forget_dag, {"connector_id": cid})
    assert state == "success", tasks
    started = tasks["start"][1]
    assert set(started) == {"connector_id", "token"}
    assert started["connector_id"] == cid
    assert started["token"].startswith("bdsync")
    waited = tasks["wait"][1]
    assert (waited["connector_id"], waited["status"]) == (cid, "SUCCESS")
    assert waited["documents"]["completed"] == 3  # templated wait_for_documents="{{ params.documents }}"
    assert served.emulator.requests["sync"] == 1


def test_every_number_and_id_is_templated(dag_files: dict[str, ModuleType], served: ThreadedEmulator) -> None:
    cid = new_broker(served)
    dag = dag_files["tests"].templated_dag
    assert set(dag.get_task("sync").template_fields) >= {
        "connector_id", "date_limit", "timeout", "poll_interval", "max_poll_interval", "wait_for_documents", "bigdata_conn_id",
    }  # fmt: skip
    state, tasks = run(dag, {"connector_id": cid})
    assert state == "success", tasks
    assert tasks["sync"][1]["documents"]["processing"] == 0


@pytest.mark.parametrize(("setting", "expected"), [("True", True), ("False", False)])
def test_deferrable_follows_default_deferrable(setting: str, expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", setting)
    from bigdata_connectors.airflow import BigdataSyncSensor

    assert BigdataSyncOperator(task_id="s", connector_id="x").deferrable is expected
    assert BigdataSyncSensor(task_id="w", token="t").deferrable is expected
    assert BigdataSyncOperator(task_id="s2", connector_id="x", deferrable=not expected).deferrable is not expected


def test_execution_timeout_shorter_than_timeout_is_refused_at_parse() -> None:
    with pytest.raises(ValueError, match=r"execution_timeout \(600 s\) is shorter than timeout \(3600 s\)"):
        BigdataSyncOperator(task_id="s", connector_id="x", execution_timeout=timedelta(minutes=10))
    BigdataSyncOperator(task_id="ok", connector_id="x", timeout=600, execution_timeout=timedelta(minutes=10))


def test_execution_timeout_shorter_than_a_templated_timeout_fails_the_task_clearly() -> None:
    from bigdata_connectors.airflow._compat import AirflowFailException

    op = BigdataSyncOperator(
        task_id="s", connector_id="x", timeout="{{ params.t }}", execution_timeout=timedelta(seconds=5)
    )
    op.timeout = "60"  # as rendered
    with pytest.raises(AirflowFailException, match="is shorter than timeout"):
        op.execute({})  # refused before any lookup or request


# ---------------------------------------------------------------- OpenLineage


def test_openlineage_events_carry_the_connector_dataset(
    dag_files: dict[str, ModuleType], served: ThreadedEmulator
) -> None:
    """With apache-airflow-providers-openlineage installed and a transport configured (a file, conftest.py),
    the task's COMPLETE event names the connector as its output dataset, with the sync's counts."""
    served.emulator.sync_items = 2
    cid = new_broker(served)
    state, _ = run(dag_files["tests"].templated_dag, {"connector_id": cid})
    assert state == "success"
    text = OPENLINEAGE_EVENTS.read_text() if OPENLINEAGE_EVENTS.exists() else ""
    events = [json.loads(line) for line in text.splitlines() if line.strip()]
    ours = [
        e
        for e in events
        if e.get("eventType") == "COMPLETE" and any(o.get("name") == cid for o in e.get("outputs") or [])
    ]
    assert len(ours) == 1, f"{len(events)} events, none COMPLETE with connector {cid} as output"
    [dataset] = ours[0]["outputs"]
    assert dataset["namespace"] == "bigdata"
    assert dataset["outputFacets"]["outputStatistics"]["rowCount"] == 2
    facet = dataset["facets"]["bigdata_sync"]
    assert (facet["status"], facet["items"], facet["documents_completed"], facet["documents_failed"]) == (
        "SUCCESS",
        2,
        2,
        0,
    )
    assert API_KEY not in text
