"""``BigdataConnectorLink``: the "Bigdata connector" button on a task, to the connector's page in the
vendor's web app.

Airflow 3 asks for the link in the worker when the task ends (or defers) and keeps the answer in an XCom
the UI reads: so the link is built where the connection is at hand. The web app's address is the
connection's extra ``web_app_url``, else ``https://app.bigdata.com`` (an assumption: DESIGN.md, "Airflow");
the page is ``<web_app_url>/connectors/<connector id>``. Nothing secret is read into it.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar
from uuid import UUID

from airflow.sdk import BaseOperator, BaseOperatorLink

from bigdata_connectors.airflow._compat import TaskInstanceKey
from bigdata_connectors.airflow.hooks import DEFAULT_CONN_ID, connector_page, get_connection

log = logging.getLogger(__name__)

# The operator and sensor note the connector a task works on here (a token names it only once read).
CONNECTOR_ATTR = "bigdata_link_connector_id"


class BigdataConnectorLink(BaseOperatorLink):
    """The connector's page in the web app, for ``BigdataSyncOperator`` and ``BigdataSyncSensor``."""

    name: ClassVar[str] = "Bigdata connector"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        """``<web_app_url>/connectors/<id>``, or "" while the task does not know its connector yet (a
        template not rendered, a token not read). Looks the connection up for ``web_app_url`` (the
        default when it cannot be found); sends nothing to the API."""
        connector: Any = getattr(operator, CONNECTOR_ATTR, None) or getattr(operator, "connector_id", None)
        try:
            connector_id = str(UUID(str(connector)))
        except ValueError:
            return ""
        conn_id = str(getattr(operator, "bigdata_conn_id", None) or DEFAULT_CONN_ID)
        try:
            conn = get_connection(conn_id)
        except Exception as err:  # a link must never fail the task
            log.info("Bigdata connector link: connection %r not found (%s); default web app URL", conn_id, err)
            conn = None
        return connector_page(conn, connector_id)
