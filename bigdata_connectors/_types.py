"""Values and aliases every layer shares. Below everything hand-written but ``_lazy``; above the generated models.

``Sleep`` and ``Clock`` are what a client is given (``asyncio.sleep`` and ``time.monotonic`` by default, fakes in
tests): every wait and every deadline in the SDK goes through them. ``DocumentsSummary`` is here because an error
(``DocumentsTimeoutError``) carries one, and errors sit below the wings that compute it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from bigdata_connectors._generated.models import Document

__all__ = ["Clock", "ConnectorId", "ConnectorTypeName", "DocumentsSummary", "Sleep"]

Sleep = Callable[[float], Awaitable[None]]  # sleeps that many seconds
Clock = Callable[[], float]  # monotonic seconds
ConnectorId = str | UUID  # a connector's id, as a UUID or its text
ConnectorTypeName = Literal["email", "investment_research", "sharepoint"]


@dataclass(frozen=True, slots=True)
class DocumentsSummary:
    """The documents a sync brought in, by outcome: ``completed`` (indexed and searchable), ``failed``,
    ``processing`` (pending, processing, or a status this SDK does not know). ``expected`` is the
    connector's ``last_sync_count`` (None if the API did not say)."""

    completed: tuple[Document, ...]
    failed: tuple[Document, ...]
    processing: tuple[Document, ...]
    expected: int | None

    @classmethod
    def of(cls, documents: list[Document], expected: int | None) -> DocumentsSummary:
        by_status: dict[str, list[Document]] = {"completed": [], "failed": []}
        processing: list[Document] = []
        for document in documents:
            by_status.get(str(document.status), processing).append(document)
        return cls(tuple(by_status["completed"]), tuple(by_status["failed"]), tuple(processing), expected)

    @property
    def total(self) -> int:
        return len(self.completed) + len(self.failed) + len(self.processing)

    @property
    def failed_names(self) -> list[str]:
        """The failed documents' file names (their id when a name is missing)."""
        return [d.file_name or d.id for d in self.failed]

    def __str__(self) -> str:
        text = f"{len(self.completed)} completed, {len(self.failed)} failed, {len(self.processing)} still processing"
        if self.failed:
            names = self.failed_names
            text += f" (failed: {', '.join(names[:10])}{', ...' if len(names) > 10 else ''})"
        return text
