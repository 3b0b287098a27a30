"""Run Bigdata.com connector syncs from Apache Airflow (3.1+): ``pip install "bigdata-connectors[airflow]"``.



- ``BigdataHook``: a ``BigdataClient`` from the Airflow connection ``bigdata_default`` (type
  ``bigdata``: the API key as password, an optional base URL as host).
- ``BigdataSyncSensor``: wait for a sync someone else started, after a baseline time.
- ``BigdataSyncTrigger``: the wait itself, on the triggerer's event loop.

The core package never imports this one (nor Airflow).
"""

from bigdata_connectors.airflow.hooks import BigdataHook
from bigdata_connectors.airflow.operators import BigdataSyncOperator
from bigdata_connectors.airflow.sensors import BigdataSyncSensor
from bigdata_connectors.airflow.triggers import BigdataSyncTrigger

__all__ = ["BigdataHook", "BigdataSyncOperator", "BigdataSyncSensor", "BigdataSyncTrigger"]
