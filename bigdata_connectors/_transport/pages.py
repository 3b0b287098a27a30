"""Reading a paged list: ``GET /contents/v1/documents`` page after page, each document once.

Behind ``client.documents.list`` and ``SyncHandle.documents``. The API gives no total and no cursor: paging
stops on a page shorter than ``page_size``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from bigdata_connectors._generated.models import Document, DocumentList
from bigdata_connectors._transport.http import HTTPTransport

__all__ = ["DOCUMENTS_PATH", "iterate_documents"]

DOCUMENTS_PATH = "/contents/v1/documents"


async def iterate_documents(
    http: HTTPTransport,
    params: list[tuple[str, str]],
    *,
    page_size: int,
    statuses: frozenset[str] | None = None,
    deadline: float | None = None,
    retry: bool = True,
) -> AsyncIterator[Document]:
    """``GET`` page 1, 2, ... until a page shorter than ``page_size``; each document once (a document that moves
    between pages while they are read is yielded once). ``statuses`` keeps only those; ``deadline`` (seconds on
    the transport's clock) bounds every request; ``retry=False`` makes one attempt per page. Raises the transport's
    errors."""
    seen: set[str] = set()
    page = 1
    while True:
        query = [*params, ("page", str(page)), ("page_size", str(page_size))]
        answer = await http.request("GET", DOCUMENTS_PATH, DocumentList, params=query, deadline=deadline, retry=retry)
        for document in answer.results:
            if document.id in seen:
                continue
            seen.add(document.id)
            if statuses is None or document.status in statuses:
                yield document
        if len(answer.results) < page_size:
            return
        page += 1
