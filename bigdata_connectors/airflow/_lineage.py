"""OpenLineage for ``BigdataSyncOperator``: imported only when Airflow's OpenLineage provider asks.

A sync writes into its connector: one output dataset, namespace ``bigdata``, name the connector id. Its
``outputStatistics`` facet (a standard one) carries the sync's item count and the connector's file count;
the ``bigdata_sync`` facet (ours) the sync's status and end, and, when the task waited for documents, how
many completed and failed. Nothing secret is in either: ids, counts, timestamps.
"""

from __future__ import annotations

from typing import Any

import attrs
from airflow.providers.openlineage.extractors import OperatorLineage
from openlineage.client.event_v2 import OutputDataset
from openlineage.client.facet_v2 import DatasetFacet, output_statistics_output_dataset

NAMESPACE = "bigdata"
FACET = "bigdata_sync"


@attrs.define
class BigdataSyncDatasetFacet(DatasetFacet):
    """What one sync brought into its connector. ``documents_*`` are None when documents were not awaited."""

    status: str | None = attrs.field(default=None)
    items: int | None = attrs.field(default=None)
    files: int | None = attrs.field(default=None)
    last_sync_at: str | None = attrs.field(default=None)
    documents_completed: int | None = attrs.field(default=None)
    documents_failed: int | None = attrs.field(default=None)

    @staticmethod
    def _get_schema() -> str:
        # Custom facets name a schema; this one is described in DESIGN.md ("Airflow"), not published.
        return "https://bigdata.com/spec/openlineage/BigdataSyncDatasetFacet.json"


def sync_lineage(connector_id: str, summary: dict[str, Any] | None) -> OperatorLineage:  # type: ignore[type-arg]
    """The operator's lineage: the connector as an output dataset, with the counts of ``summary`` (the
    task's return value) when the task waited for the sync (none for ``wait_for_completion=False``)."""
    facets: dict[str, Any] = {}
    output_facets: dict[str, Any] = {}
    if summary is not None:
        documents = summary.get("documents") or {}
        facets[FACET] = BigdataSyncDatasetFacet(
            status=summary.get("status"),
            items=summary.get("items"),
            files=summary.get("files"),
            last_sync_at=summary.get("last_sync_at"),
            documents_completed=documents.get("completed"),
            documents_failed=documents.get("failed"),
        )
        output_facets["outputStatistics"] = output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
            rowCount=summary.get("items"), fileCount=summary.get("files")
        )
    dataset = OutputDataset(namespace=NAMESPACE, name=connector_id, facets=facets, outputFacets=output_facets)
    return OperatorLineage(outputs=[dataset])
