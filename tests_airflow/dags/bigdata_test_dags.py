"""DAGs the tests run with ``dag.test()``: the operator deferrable and not, and the sensor.

Parameters come from ``run_conf``; the connection from ``AIRFLOW_CONN_BIGDATA_DEFAULT``.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from bigdata_connectors.airflow import BigdataSyncOperator, BigdataSyncSensor

START = datetime(2026, 1, 1)


def sync_dag(dag_id: str, *, deferrable: bool) -> DAG:
    with DAG(dag_id, schedule=None, start_date=START, params={"connector_id": "", "date_limit": ""}) as dag:
        BigdataSyncOperator(
            task_id="sync",
            connector_id="{{ params.connector_id }}",
            date_limit="{{ params.date_limit }}",
            timeout=20,
            poll_interval=0.05,
            max_poll_interval=0.2,
            deferrable=deferrable,
        )
    return dag


deferrable_dag = sync_dag("bigdata_sync_deferrable", deferrable=True)
inline_dag = sync_dag("bigdata_sync_inline", deferrable=False)


def sensor_dag(dag_id: str, *, deferrable: bool, timeout: float = 20, soft_fail: bool = False) -> DAG:
    with DAG(dag_id, schedule=None, start_date=START, params={"connector_id": "", "after": ""}) as dag:
        BigdataSyncSensor(
            task_id="wait",
            connector_id="{{ params.connector_id }}",
            after="{{ params.after }}",
            timeout=timeout,
            soft_fail=soft_fail,
            poke_interval=0.05,
            max_poll_interval=0.2,
            deferrable=deferrable,
        )
    return dag


deferrable_sensor_dag = sensor_dag("bigdata_sensor_deferrable", deferrable=True)
inline_sensor_dag = sensor_dag("bigdata_sensor_inline", deferrable=False)
soft_sensor_dag = sensor_dag("bigdata_sensor_soft", deferrable=True, timeout=0.5, soft_fail=True)


# ---------------------------------------------------------------- issue 23: conventions, resume, failures

with DAG(
    "bigdata_fire_and_forget",
    schedule=None,
    start_date=START,
    params={"connector_id": "", "date_limit": "2026-01-02"},
) as fire_and_forget_dag:
    start = BigdataSyncOperator(
        task_id="start",
        connector_id="{{ params.connector_id }}",
        date_limit="{{ params.date_limit }}",
        wait_for_completion=False,
        deferrable=False,
    )
    BigdataSyncSensor(
        task_id="wait",
        token="{{ ti.xcom_pull(task_ids='start')['token'] }}",
        timeout="{{ params.wait_timeout }}",
        poll_interval=0.05,
        max_poll_interval="{{ params.max_poll }}",
        wait_for_documents="{{ params.documents }}",
        deferrable=True,
        params={"max_poll": 0.2, "documents": True, "wait_timeout": 20},
    ).set_upstream(start)

with DAG(
    "bigdata_templated",
    schedule=None,
    start_date=START,
    params={"connector_id": "", "timeout": 20, "poll": 0.05, "documents": "true", "conn": "bigdata_default"},
) as templated_dag:
    BigdataSyncOperator(
        task_id="sync",
        connector_id="{{ params.connector_id }}",
        date_limit="{{ dag_run.run_after | ds }}",
        timeout="{{ params.timeout }}",
        poll_interval="{{ params.poll }}",
        max_poll_interval="{{ params.poll * 4 }}",
        wait_for_documents="{{ params.documents }}",
        bigdata_conn_id="{{ params.conn }}",
        deferrable=True,
    )


def retrying_dag(dag_id: str, *, deferrable: bool, conn_id: str = "bigdata_default") -> DAG:
    with DAG(dag_id, schedule=None, start_date=START, params={"connector_id": "", "date_limit": "2026-01-02"}) as dag:
        BigdataSyncOperator(
            task_id="sync",
            connector_id="{{ params.connector_id }}",
            date_limit="{{ params.date_limit }}",
            timeout=30,
            poll_interval=0.05,
            max_poll_interval=0.2,
            deferrable=deferrable,
            bigdata_conn_id=conn_id,
            retries=2,
        )
    return dag


retrying_deferrable_dag = retrying_dag("bigdata_retrying_deferrable", deferrable=True)
retrying_inline_dag = retrying_dag("bigdata_retrying_inline", deferrable=False)
no_connection_dag = retrying_dag("bigdata_no_connection", deferrable=True, conn_id="bigdata_nowhere")
