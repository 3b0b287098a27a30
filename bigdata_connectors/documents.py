"""The document operations (``client.documents``): what connectors (and uploads) bring in.

No aiohttp and no sleeping here: requests go through the transport, pages through ``_transport.pages``.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import AsyncIterator, Collection
from datetime import UTC, date, datetime
from typing import Literal

from bigdata_connectors import _checks
from bigdata_connectors._checks import MAX_PAGE_SIZE, connector_uuid, content_id
from bigdata_connectors._generated.models import Document
from bigdata_connectors._transport import DOCUMENTS_PATH, HTTPTransport, iterate_documents, raw_operation
from bigdata_connectors._types import ConnectorId

__all__ = ["DocumentsService", "DocumentsWithRawResponse"]

SortBy = Literal["created_at", "updated_at", "file_name", "raw_size", "content_type", "status"]


def _iso_date(value: date | datetime | str) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("from_date as a datetime must be timezone-aware")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"from_date must be a date, an aware datetime or an ISO 8601 string, got {value!r}"
            ) from None
        return value
    raise TypeError(f"from_date must be a date, a datetime or an ISO 8601 string, got {type(value).__name__}")


def _statuses(status: str | Collection[str] | None) -> frozenset[str] | None:
    if status is None:
        return None
    if isinstance(status, str):
        return frozenset({status})
    if not status or not all(isinstance(s, str) for s in status):
        raise ValueError("status must be a status string or a non-empty collection of them")
    return frozenset(status)


class DocumentsService:
    """``client.documents``: list documents (every page) and read one."""

    def __init__(self, transport: HTTPTransport) -> None:
        self._http = transport

    @functools.cached_property
    def with_raw_response(self) -> DocumentsWithRawResponse:
        """``get`` with the same arguments and errors, returning a RawResponse (``status_code``,
        ``headers``, ``request_id``, ``elapsed`` in seconds, ``parse()``). ``list`` has no raw form: it
        is an iteration over as many answers as there are pages, not one answer."""
        return DocumentsWithRawResponse(self)

    def list(
        self,
        *,
        connector: ConnectorId | None = None,
        status: str | Collection[str] | None = None,
        from_date: date | datetime | str | None = None,
        origin: Literal["email", "file_upload"] | None = None,
        ownership: Literal["all", "owned", "shared"] | None = None,
        owner: str | None = None,
        file_name: str | None = None,
        tags: Collection[str] | None = None,
        sort_by: SortBy | None = None,
        sort_order: Literal["asc", "desc"] | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[Document]:
        """Every matching document, across pages: ``async for doc in client.documents.list(connector=cid):``.

        Sends ``GET /contents/v1/documents?page=1&page_size=...`` with the filters given, then the next
        pages as the iteration needs them, until a page shorter than ``page_size`` (1 to 100; the API
        gives no total and no cursor). ``connector`` (a UUID) keeps that connector's documents;
        ``from_date`` (a date, an aware datetime or an ISO 8601 string) those created on or after it;
        ``origin``, ``ownership``, ``owner``, ``file_name`` (partial, case-insensitive), ``tags`` (any of),
        ``sort_by`` and ``sort_order`` are passed as the API documents them. ``status`` (one status or
        several, e.g. "failed") has no API filter: it is applied to each page as it arrives. A document
        that moves between pages while they are read (the list is live) is yielded once.

        Arguments are checked when this is called, before anything is sent: ValueError or TypeError.
        Iterating raises AuthenticationError, APIStatusError, APIConnectionError, APITimeoutError,
        ResponseValidationError, and MalformedResponseError when the list would not end: a full page that
        brings no document not already listed (a server ignoring ``page``), or a full page 100,000.
        """
        _checks.page_size(page_size)
        params: builtins.list[tuple[str, str]] = []
        if connector is not None:
            params.append(("connector", str(connector_uuid(connector))))
        if from_date is not None:
            params.append(("from_date", _iso_date(from_date)))
        for name, value in (
            ("origin", origin),
            ("ownership", ownership),
            ("owner", owner),
            ("file_name", file_name),
            ("sort_by", sort_by),
            ("sort_order", sort_order),
        ):
            if value is not None:
                if not isinstance(value, str):
                    raise TypeError(f"{name} must be a str, got {type(value).__name__}")
                params.append((name, value))
        if tags is not None:
            if isinstance(tags, str):
                raise TypeError("tags must be a collection of strings (e.g. a list), not a single str")
            params.extend(("tags", str(tag)) for tag in tags)
        return iterate_documents(self._http, params, page_size=page_size, statuses=_statuses(status))

    async def get(self, document_id: str) -> Document:
        """``GET /contents/v1/documents/{content_id}``: one document's metadata.

        ``document_id`` is the content id, 32 hexadecimal characters (not a UUID); anything else
        fails before anything is sent. Raises TypeError/ValueError (bad id; nothing sent),
        NotFoundError, PermissionDeniedError (not shared with your organisation), AuthenticationError,
        APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        return await self._http.request("GET", f"{DOCUMENTS_PATH}/{content_id(document_id)}", Document)


class DocumentsWithRawResponse:
    """``client.documents.with_raw_response``: ``get`` returning a ``RawResponse``."""

    def __init__(self, service: DocumentsService) -> None:
        self.get = raw_operation(service.get)
