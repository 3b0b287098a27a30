"""DAGs the real-stack tests run with a scheduler, workers and a triggerer (tests_airflow/test_real_stack.py).

The connection ``bigdata_default`` is stored in Airflow's database by the test. The watched connectors'
ids are read from ``watched.json`` beside this file (written by the test before the DAG is parsed).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, Asset, AssetWatcher, task

from bigdata_connectors.airflow import BigdataDocumentsTrigger, BigdataSyncOperator

START = datetime(2026, 1, 1)
PARAMS = {"connector_id": "", "date_limit": "2026-01-02"}


def sync_dag(dag_id: str, *, deferrable: bool) -> DAG:
    with DAG(dag_id, schedule=None, start_date=START, params=PARAMS, catchup=False) as dag:
        BigdataSyncOperator(
            task_id="sync",
            connector_id="{{ params.connector_id }}",
            date_limit="{{ params.date_limit }}",
            timeout=240,
            poll_interval=0.5,
            max_poll_interval=1,
            deferrable=deferrable,
            retries=1,
            retry_delay=timedelta(seconds=1),
        )
    return dag


stack_inline = sync_dag("stack_inline", deferrable=False)
stack_deferred = sync_dag("stack_deferred", deferrable=True)

_WATCHED = Path(__file__).with_name("watched.json")
if _WATCHED.exists():
    ids = json.loads(_WATCHED.read_text())
    research = Asset(
        "bigdata_research_inbox",
        watchers=[
            AssetWatcher(
                name="new_research",
                trigger=BigdataDocumentsTrigger(connector_ids=ids, poll_interval=0.5, margin=60),
            )
        ],
    )

    with DAG("stack_on_new_documents", schedule=[research], start_date=START, catchup=False) as stack_watch:

        @task
        def received(**context: Any) -> list[Any]:
            events = context["triggering_asset_events"][research]
            return [event.extra.get("payload") for event in events]

        received()
