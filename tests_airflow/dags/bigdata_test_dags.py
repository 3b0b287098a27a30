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
