"""Run Bigdata.com connector syncs from Apache Airflow (3.1+): ``pip install "bigdata-connectors[airflow]"``.

- ``BigdataSyncOperator``: start a sync and wait for it (deferrable), reattaching after a crash or retry.
- ``BigdataSyncSensor``: wait for a sync started elsewhere (a token, or a connector after a baseline).
- ``BigdataSyncTrigger``: the wait itself, on the triggerer's event loop.
- ``BigdataDocumentsTrigger``: an ``AssetWatcher`` trigger firing on newly completed documents.
- ``BigdataConnectorLink``: the task's link to the connector's page in the web app.
- ``BigdataHook``: a ``BigdataClient`` from the Airflow connection ``bigdata_default`` (type
  ``bigdata``: the API key as password, an optional base URL as host).

The core package never imports this one (nor Airflow).
"""

from bigdata_connectors.airflow.hooks import BigdataHook
from bigdata_connectors.airflow.links import BigdataConnectorLink
from bigdata_connectors.airflow.operators import BigdataSyncOperator
from bigdata_connectors.airflow.sensors import BigdataSyncSensor
from bigdata_connectors.airflow.triggers import BigdataSyncTrigger
from bigdata_connectors.airflow.watchers import BigdataDocumentsTrigger

__all__ = [
    "BigdataConnectorLink",
    "BigdataDocumentsTrigger",
    "BigdataHook",
    "BigdataSyncOperator",
    "BigdataSyncSensor",
    "BigdataSyncTrigger",
]
