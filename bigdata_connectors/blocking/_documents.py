"""``client.documents`` without ``await``, and the plain iterator over pages of documents."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Collection, Iterator
from datetime import date, datetime
from typing import Any, Final, Literal

from bigdata_connectors import ClientClosedError, Document, EventLoopError, RawResponse
from bigdata_connectors import DocumentsService as AsyncDocumentsService
from bigdata_connectors.blocking._runtime import Runtime
from bigdata_connectors.blocking._types import ConnectorId, SortBy, defaults_of

__all__ = ["DocumentIterator", "DocumentsService", "DocumentsWithRawResponse"]

_LIST: Final = defaults_of(AsyncDocumentsService.list)
_END: Final = object()


async def _next(documents: AsyncIterator[Document]) -> Any:
    try:
        return await anext(documents)
    except StopAsyncIteration:
        return _END


class DocumentIterator(Iterator[Document]):
    """Documents one at a time, each ``next()`` running the async iteration one step on the loop thread:
    a page is requested only when the documents already read run out. ``close()`` ends it early (an
    iterator dropped unfinished is closed on the loop when collected)."""

    __slots__ = ("_documents", "_done", "_runtime")

    def __init__(self, runtime: Runtime, documents: AsyncIterator[Document]) -> None:
        self._runtime = runtime
        self._documents = documents
        self._done = False

    def __iter__(self) -> DocumentIterator:
        return self

    def __next__(self) -> Document:
        if self._done:
            raise StopIteration
        try:
            item = self._runtime.call(_next(self._documents))
        except BaseException:
            self._done = True  # as an async generator: once it has raised, it is over
            raise
        if item is _END:
            self._done = True
            raise StopIteration
        return item  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop here; no further page is requested. Idempotent, and quiet once the client is closed (or in a
        forked child, where it is not this process's to close)."""
        if self._done:
            return
        self._done = True
        close = getattr(self._documents, "aclose", None)
        if close is not None:
            with contextlib.suppress(ClientClosedError, EventLoopError):
                self._runtime.call(close())


class DocumentsService:
    """``client.documents``: list documents (every page, as a plain iterator) and read one.

    Runs ``bigdata_connectors.DocumentsService`` on the client's loop thread: same arguments, results and
    errors (see its methods). Any call raises ClientClosedError after ``close()``, EventLoopError in a
    forked child; Ctrl-C cancels the request and raises KeyboardInterrupt.
    """

    def __init__(self, runtime: Runtime, service: AsyncDocumentsService) -> None:
        self._runtime = runtime
        self._async = service

    @functools.cached_property
    def with_raw_response(self) -> DocumentsWithRawResponse:
        """``get`` with the same arguments and errors, returning a RawResponse (``status_code``, ``headers``,
        ``request_id``, ``elapsed`` in seconds, ``parse()``)."""
        return DocumentsWithRawResponse(self._runtime, self._async)

    def list(
        self,
        *,
        connector: ConnectorId | None = _LIST["connector"],
        status: str | Collection[str] | None = _LIST["status"],
        from_date: date | datetime | str | None = _LIST["from_date"],
        origin: Literal["email", "file_upload"] | None = _LIST["origin"],
        ownership: Literal["all", "owned", "shared"] | None = _LIST["ownership"],
        owner: str | None = _LIST["owner"],
        file_name: str | None = _LIST["file_name"],
        tags: Collection[str] | None = _LIST["tags"],
        sort_by: SortBy | None = _LIST["sort_by"],
        sort_order: Literal["asc", "desc"] | None = _LIST["sort_order"],
        page_size: int = _LIST["page_size"],
    ) -> Iterator[Document]:
        """Every matching document, across pages: ``for doc in client.documents.list(connector=cid):``.

        Sends ``GET /contents/v1/documents?page=1&page_size=...`` with the filters given, then the next pages
        as the iteration needs them, until a page shorter than ``page_size`` (1 to 100). The filters are the
        async ``list``'s. Arguments are checked here, before anything is sent: ValueError or TypeError.
        Iterating raises AuthenticationError, APIStatusError, APIConnectionError, APITimeoutError,
        ResponseValidationError.
        """
        documents = self._async.list(
            connector=connector,
            status=status,
            from_date=from_date,
            origin=origin,
            ownership=ownership,
            owner=owner,
            file_name=file_name,
            tags=tags,
            sort_by=sort_by,
            sort_order=sort_order,
            page_size=page_size,
        )
        return DocumentIterator(self._runtime, documents)

    def get(self, document_id: str) -> Document:
        """``GET /contents/v1/documents/{content_id}``: one document's metadata.

        ``document_id`` is the content id (32 hexadecimal characters). Raises TypeError/ValueError (bad id;
        nothing sent), NotFoundError, PermissionDeniedError, AuthenticationError, APIConnectionError,
        APITimeoutError, ResponseValidationError.
        """
        return self._runtime.call(self._async.get(document_id))


class DocumentsWithRawResponse:
    """``client.documents.with_raw_response``: ``get`` returning a RawResponse."""

    def __init__(self, runtime: Runtime, service: AsyncDocumentsService) -> None:
        self._runtime = runtime
        self._raw = service.with_raw_response

    def get(self, document_id: str) -> RawResponse[Document]:
        """``GET /contents/v1/documents/{content_id}`` as ``client.documents.get``, returning its RawResponse
        (``parse()`` gives the Document). Raises as ``get``."""
        return self._runtime.call(self._raw.get(document_id))
