"""Reading a paged list: ``GET /contents/v1/documents`` page after page, each document once.

Behind ``client.documents.list`` and ``SyncHandle.documents``. The API gives no total and no cursor: paging
stops on a page shorter than ``page_size``. So that an iteration always ends, whatever the server does, it also
stops, with ``MalformedResponseError``, on a full page that brings no document not already seen (a server that
ignores ``page`` answers the same page forever), and after ``MAX_PAGES`` pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from bigdata_connectors._errors import MalformedResponseError
from bigdata_connectors._generated.models import Document, DocumentList
from bigdata_connectors._transport.http import HTTPTransport

__all__ = ["DOCUMENTS_PATH", "MAX_PAGES", "iterate_documents"]

DOCUMENTS_PATH = "/contents/v1/documents"
# Pages one iteration reads at most: 10 million documents at 100 a page, hours at the default rate limit.
MAX_PAGES = 100_000


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
    errors, and MalformedResponseError for a full page with no new document (the server ignores ``page``) or
    when page ``MAX_PAGES`` is full too (the list would not end)."""
    seen: set[str] = set()
    page = 1
    while True:
        query = [*params, ("page", str(page)), ("page_size", str(page_size))]
        answer = await http.request("GET", DOCUMENTS_PATH, DocumentList, params=query, deadline=deadline, retry=retry)
        new = 0
        for document in answer.results:
            if document.id in seen:
                continue
            seen.add(document.id)
            new += 1
            if statuses is None or document.status in statuses:
                yield document
        if len(answer.results) < page_size:
            return
        if new == 0:
            raise _endless(f"page {page} is full ({len(answer.results)} documents) but holds none not already "
                           "listed: the server does not seem to honour 'page'")  # fmt: skip
        if page >= MAX_PAGES:
            raise _endless(f"page {page} is full too, and one listing reads at most {MAX_PAGES} pages")
        page += 1


def _endless(why: str) -> MalformedResponseError:
    return MalformedResponseError(f"the document list does not end: {why}", method="GET", path=DOCUMENTS_PATH)
