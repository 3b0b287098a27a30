"""The emulator's documents: what a successful sync brings in, as ``shared/reference/documents.md`` describes.

A successful sync of N items creates N documents of the connector when its end becomes visible. Each is
listed only ``document_lag`` seconds after it was created (the list's eventual consistency; ``get`` finds it
at once) and moves pending -> processing -> completed over ``document_processing`` seconds, or ends ``failed``
(``fail_next_documents``). Computed when read: no background task. List supports the documented filters
(``connector``, ``origin``, ``from_date``, ``file_name``, ``tags``, ``ownership``, ``owner``), paging and sorting;
get answers 404 for an unknown id and 403 for a document not shared with the caller's organisation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from aiohttp import web

from bigdata_connectors.testing._connectors import ConnectorRoutes
from bigdata_connectors.testing._state import ORG, Host, StoredConnector, StoredDocument, SyncRun, iso

PREFIX = "/contents/v1/documents"
_SORT_KEYS = ("created_at", "updated_at", "file_name", "raw_size", "content_type", "status")


class DocumentsHost(Host, Protocol):
    """The emulator, as the documents routes see it: also its connector routes (whose connectors own documents)."""

    connector_routes: ConnectorRoutes


class DocumentRoutes:
    """Handlers of the document routes, over the emulator's state."""

    def __init__(self, emulator: DocumentsHost) -> None:
        self._emu = emulator

    # ------------------------------------------------------------------ what a sync brings in

    def add_for_sync(self, connector: StoredConnector, sync: SyncRun) -> None:
        """The ``sync.items`` documents of a successful sync, created when it ended."""
        emu = self._emu
        created = sync.started + sync.duration  # emulator clock
        created_at = connector.last_sync_at or datetime.now(UTC)
        first = connector.files_count - sync.items  # numbered on from the connector's earlier files
        for n in range(sync.items):
            content_id = emu.rng.getrandbits(128).to_bytes(16, "big").hex().upper()
            emu.state.documents[content_id] = StoredDocument(
                content_id,
                connector.connector_id,
                f"report_{first + n + 1:05d}.pdf",
                created,
                created_at,
                emu.take_document_failure(),
                raw_size=1000 + emu.rng.randint(0, 50_000),
            )

    def add_mail(self, connector: StoredConnector, count: int) -> list[str]:
        """``count`` documents arriving now in ``connector`` (mail forwarded to an email connector's inbox)."""
        emu = self._emu
        first = connector.files_count
        connector.files_count += count
        added = []
        for n in range(count):
            content_id = emu.rng.getrandbits(128).to_bytes(16, "big").hex().upper()
            emu.state.documents[content_id] = StoredDocument(
                content_id,
                connector.connector_id,
                f"mail_{first + n + 1:05d}.eml",
                emu.clock(),
                datetime.now(UTC),
                emu.take_document_failure(),
                raw_size=1000 + emu.rng.randint(0, 50_000),
                content_type="message/rfc822",
                request_origin="email",
            )
            added.append(content_id)
        return added

    def remove_connector(self, connector_id: UUID) -> None:
        documents = self._emu.state.documents
        for content_id in [k for k, d in documents.items() if d.connector_id == connector_id]:
            del documents[content_id]

    def add_foreign(self) -> str:
        """A document of another organisation, not shared with this one: listed nowhere, 403 on get."""
        content_id = self._emu.rng.getrandbits(128).to_bytes(16, "big").hex().upper()
        self._emu.state.documents[content_id] = StoredDocument(
            content_id, None, "not_yours.pdf", self._emu.clock(), datetime.now(UTC), org_id="other_org"
        )
        return content_id

    # ------------------------------------------------------------------ state over time

    def status(self, document: StoredDocument) -> str:
        elapsed = self._emu.clock() - document.created
        span = self._emu.document_processing
        if elapsed < span / 3:
            return "pending"
        if elapsed < span:
            return "processing"
        return "failed" if document.fails else "completed"

    def render(self, document: StoredDocument) -> dict[str, Any]:
        status = self.status(document)
        elapsed = self._emu.clock() - document.created
        return {
            "id": document.id,
            "file_name": document.file_name,
            "user_id": document.user_id,
            "org_id": document.org_id,
            "raw_size": document.raw_size if status != "pending" else 0,
            "request_origin": document.request_origin,
            "content_type": document.content_type,
            "status": status,
            "created_at": iso(document.created_at),
            "updated_at": iso(document.created_at if elapsed <= 0 else datetime.now(UTC)),
            "published_at": iso(document.created_at),
            "tags": document.tags,
        }

    # ------------------------------------------------------------------ routes

    def _bad(self, message: str) -> web.Response:
        return self._emu.error(400, message, "INVALID_REQUEST")

    async def list(self, request: web.Request, raw_id: str | None) -> web.Response:
        query = request.query
        try:
            page = int(query.get("page", "1"))
            page_size = int(query.get("page_size", "50"))
        except ValueError:
            return self._bad("page and page_size must be integers")
        if page < 1 or not 1 <= page_size <= 100:
            return self._bad("page must be >= 1 and page_size from 1 to 100")
        sort_by = query.get("sort_by", "created_at")
        order = query.get("sort_order", "desc")
        if sort_by not in _SORT_KEYS or order not in ("asc", "desc"):
            return self._bad("invalid sort_by or sort_order")
        ownership = query.get("ownership", "all")
        if ownership not in ("all", "owned", "shared"):
            return self._bad("ownership must be all, owned or shared")
        if query.get("origin", "email") not in ("email", "file_upload"):
            return self._bad("origin must be email or file_upload")
        connector: UUID | None = None
        if "connector" in query:
            try:
                connector = UUID(query["connector"])
            except ValueError:
                return self._bad("connector must be a UUID")
        from_date: datetime | None = None
        if "from_date" in query:
            try:
                from_date = datetime.fromisoformat(query["from_date"].upper().replace("Z", "+00:00"))
            except ValueError:
                return self._bad("from_date must be ISO 8601")
            if from_date.tzinfo is None:
                from_date = from_date.replace(tzinfo=UTC)
        connectors = self._emu.connector_routes
        for stored in connectors.live():  # bring syncs (and force deletes) up to now: they create (remove) documents
            connectors.settle(stored)
        now = self._emu.clock()
        tags = set(query.getall("tags", []))
        rows = []
        for document in list(self._emu.state.documents.values()):
            if document.org_id != ORG or now < document.created + self._emu.document_lag:
                continue
            if connector is not None and document.connector_id != connector:
                continue
            if "origin" in query and document.request_origin != query["origin"]:
                continue
            if from_date is not None and document.created_at < from_date:
                continue
            if ownership == "shared" or ("owner" in query and document.user_id != query["owner"]):
                continue  # every emulated document is owned by the caller
            if "file_name" in query and query["file_name"].lower() not in document.file_name.lower():
                continue
            if tags and not tags & {t.get("name", "") for t in document.tags}:
                continue
            rows.append(self.render(document))
        rows.sort(key=lambda r: (r[sort_by], r["id"]), reverse=order == "desc")
        start = (page - 1) * page_size
        return web.json_response({"results": rows[start : start + page_size]})

    async def get(self, request: web.Request, raw_id: str | None) -> web.Response:
        connectors = self._emu.connector_routes
        for stored in connectors.live():
            connectors.settle(stored)
        document = self._emu.state.documents.get((raw_id or "").upper())
        if document is None:
            return self._emu.error(404, "Document not found", "PRIVATE_CONTENT_NOT_FOUND")
        if document.org_id != ORG:
            return self._emu.error(403, "Document not shared with your organisation", "FORBIDDEN")
        return web.json_response(self.render(document))
