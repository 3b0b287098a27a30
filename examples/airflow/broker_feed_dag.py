"""An Airflow DAG: every weekday at 06:00 UTC, sync a broker research feed up to the run's date, wait
until the documents it brought in are processed (searchable), then report them.

    pip install "bigdata-connectors[airflow]"
    export AIRFLOW_CONN_BIGDATA_DEFAULT='{"conn_type": "bigdata", "password": "<your API key>"}'
    airflow variables set bigdata_broker_feed_connector <the connector's id>

Put this file in your DAG folder. The scheduled runs sync the connector named by the Variable; a manual
run may name another as its ``connector_id`` parameter (``airflow dags trigger bigdata_broker_feed -c
'{"connector_id": "..."}'``, with or without a logical date). With neither, the task fails at once, without
retries and without a request. The sync task defers (when ``[operators] default_deferrable`` is on): while
the broker's portal is crawled, no worker slot is held. If the task is retried, it reattaches to the sync it
started instead of starting another.
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
    params={
        "connector_id": Param(
            None,
            type=["null", "string"],
            description="the connector to sync (default: Variable bigdata_broker_feed_connector)",
        )
    },
    tags=["bigdata"],
) as dag:
    sync = BigdataSyncOperator(
        task_id="sync_broker_feed",
        connector_id="{{ params.connector_id or var.value.get('bigdata_broker_feed_connector', '') }}",
        # research published up to the run's date; run_after exists even when a manual run has no logical date
        date_limit="{{ dag_run.run_after | ds }}",
        timeout=2 * 60 * 60,  # seconds, starting and waiting; then the task fails, the sync goes on
        poll_interval=30,
        wait_for_documents=True,  # succeed only once every new document is completed or failed
        retries=1,  # a retry reattaches to the running sync: never a second one
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
