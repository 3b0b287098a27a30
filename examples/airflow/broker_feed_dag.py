"""An Airflow DAG: every weekday at 06:00 UTC, sync a broker research feed up to the run's date, wait
until the documents it brought in are processed (searchable), then report them.

    pip install "bigdata-connectors[airflow]"
    export AIRFLOW_CONN_BIGDATA_DEFAULT='{"conn_type": "bigdata", "password": "<your API key>"}'

Put this file in your DAG folder and trigger it with the connector's id as the ``connector_id``
parameter. The sync task defers: while the broker's portal is crawled, no worker slot is held.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Param, task

from bigdata_connectors.airflow import BigdataSyncOperator

with DAG(
    dag_id="bigdata_broker_feed",
    schedule="0 6 * * 1-5",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"connector_id": Param("", type="string", description="the broker feed's connector id")},
    tags=["bigdata"],
) as dag:
    sync = BigdataSyncOperator(
        task_id="sync_broker_feed",
        connector_id="{{ params.connector_id }}",
        date_limit="{{ ds }}",  # research published up to the run's date
        timeout=2 * 60 * 60,  # seconds, starting and waiting; then the task fails, the sync goes on
        poll_interval=30,
        wait_for_documents=True,  # succeed only once every new document is completed or failed
        retries=1,
    )

    @task
    def report(summary: dict[str, Any]) -> None:
        print(
            f"Broker feed {summary['connector_id']}: {summary['status']}, {summary['items']} items, "
            f"{summary['files']} files in total, in {summary['elapsed']:.0f} s."
        )
        documents = summary["documents"]
        print(f"Documents: {documents['completed']} searchable, {documents['failed']} failed.")
        for name in documents["failed_names"]:
            print(f"  failed: {name}")

    report(sync.output)  # type: ignore[arg-type]  # at run time Airflow passes the XCom value
