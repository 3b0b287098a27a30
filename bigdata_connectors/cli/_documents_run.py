"""The work behind ``documents``: every page of a connector's documents, as a table or JSON lines."""

from __future__ import annotations

from datetime import date

import click

from bigdata_connectors import BigdataClient, Document
from bigdata_connectors.cli._output import Output, documents_table
from bigdata_connectors.cli._runtime import run

__all__ = ["documents"]


def documents(
    ctx: click.Context, connector_id: str, statuses: list[str], from_date: date | None, as_json: bool
) -> None:
    """The connector's documents (``client.documents.list``, every page) as a table or JSON lines."""

    async def work(client: BigdataClient) -> list[Document]:
        listing = client.documents.list(connector=connector_id, status=statuses or None, from_date=from_date)
        return [document async for document in listing]

    found = run(ctx, work)
    out = Output(as_json)
    if as_json:
        out.json_lines(d.model_dump(mode="json", by_alias=True) for d in found)
    elif not found:
        out.say("No documents" + (" in that status" if statuses else "") + ".")
    else:
        out.table(documents_table(found))
