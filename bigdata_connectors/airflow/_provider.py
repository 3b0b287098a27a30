"""What Airflow's provider discovery reads (entry point ``apache_airflow_provider``).

Plain data, no Airflow import: the scheduler, the API server and the triggerer call this while they
start. It registers the ``bigdata`` connection type, its hook, and how the connection form looks.
"""

from __future__ import annotations

from typing import Any

from bigdata_connectors._version import __version__

CONN_TYPE = "bigdata"


def get_provider_info() -> dict[str, Any]:
    """The provider description Airflow validates against its ``provider_info.schema.json``."""
    return {
        "package-name": "bigdata-connectors",
        "name": "Bigdata.com Connectors",
        "description": "Run and wait for Bigdata.com connector syncs (a deferrable, resumable operator, a trigger and a sensor), and schedule on new documents (an asset watcher trigger).",
        "versions": [__version__],
        "connection-types": [
            {
                "connection-type": CONN_TYPE,
                "hook-class-name": "bigdata_connectors.airflow.BigdataHook",
                "hook-name": "Bigdata.com",
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "login", "port"],
                    "relabeling": {"password": "API key", "host": "Base URL (optional)"},
                    "placeholders": {
                        "host": "https://api.bigdata.com",
                        "password": "your Bigdata.com API key",
                        "extra": '{"web_app_url": "https://app.bigdata.com", "ssl": "system"}',
                    },
                },
            }
        ],
        # The API server rebuilds a task's links from their class path: it must find ours here.
        "extra-links": ["bigdata_connectors.airflow.links.BigdataConnectorLink"],
    }
