"""DAGs the tests run with ``dag.test()``: the sensor, deferrable and not.

Parameters come from ``run_conf``; the connection from ``AIRFLOW_CONN_BIGDATA_DEFAULT``.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from bigdata_connectors.airflow import BigdataSyncSensor

START = datetime(2026, 1, 1)


def sensor_dag(dag_id: str, *, deferrable: bool) -> DAG:
    with DAG(dag_id, schedule=None, start_date=START, params={"connector_id": "", "after": ""}) as dag:
        BigdataSyncSensor(
            task_id="wait",
            connector_id="{{ params.connector_id }}",
            after="{{ params.after }}",
            timeout=20,
            poke_interval=0.05,
            max_poll_interval=0.2,
            deferrable=deferrable,
        )
    return dag


deferrable_sensor_dag = sensor_dag("bigdata_sensor_deferrable", deferrable=True)
inline_sensor_dag = sensor_dag("bigdata_sensor_inline", deferrable=False)
