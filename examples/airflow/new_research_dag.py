"""An Airflow DAG that runs when new research lands: event-driven scheduling on an asset watched by
``BigdataDocumentsTrigger``. No schedule, no sensor polling in a worker: the triggerer lists the
connectors' documents every minute and each batch of newly completed documents becomes one asset event,
hence one DAG run, whose task gets the documents' ids.

    pip install "bigdata-connectors[airflow]"
    export AIRFLOW_CONN_BIGDATA_DEFAULT='{"conn_type": "bigdata", "password": "<your API key>"}'
    export BIGDATA_WATCHED_CONNECTORS=<connector id>[,<connector id>...]   # email connectors included

Put this file in your DAG folder (the triggerer must run). The watcher is defined when the DAG file is
parsed, so the connector ids come from the environment (or write them here).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Asset, AssetWatcher, task

from bigdata_connectors.airflow import BigdataDocumentsTrigger

WATCHED = [cid.strip() for cid in os.environ.get("BIGDATA_WATCHED_CONNECTORS", "").split(",") if cid.strip()]

if WATCHED:  # no watcher (and no DAG) until a connector is named: a watch on nothing would only fail
    new_research = Asset(
        "bigdata_new_research",
        watchers=[
            AssetWatcher(
                name="bigdata_new_documents",
                trigger=BigdataDocumentsTrigger(connector_ids=WATCHED, poll_interval=60),
            )
        ],
    )

    with DAG(
        dag_id="bigdata_new_research",
        schedule=[new_research],
        start_date=datetime(2026, 1, 1),
        catchup=False,
        tags=["bigdata"],
    ) as dag:

        @task
        def process(**context: Any) -> list[str]:
            """Each event: {"connector_id", "document_ids", "file_names", "count"}."""
            ids: list[str] = []
            for event in context["triggering_asset_events"][new_research]:
                payload = event.extra.get("payload") or {}
                print(f"{payload.get('count')} new documents in connector {payload.get('connector_id')}")
                ids.extend(payload.get("document_ids") or [])
            return ids

        process()
