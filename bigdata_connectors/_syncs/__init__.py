"""The sync wing: start a sync, hand it over as a token, wait for its outcome and its documents, many at once.

``start`` (start, resume, attach, sync-and-wait), ``handle`` (``SyncHandle``: wait, poll, token, documents),
``token`` (the hand-over format), ``progress`` (the completion rule), ``documents`` (what a sync brought in, and
when that set is complete), ``many`` (``sync_many``). The waiting itself is the core's one poll loop (``_poll``).

This package is the wing's one seam. ``connectors.py`` imports it with the client, but each name below loads its
module the first time it is read (PEP 562, ``_lazy``): by the first sync call, or by ``typing.get_type_hints`` on
a signature that names it. A program that never syncs never loads the wing (nor the request models it sends).
Arguments are checked by the public entries (``ConnectorsService``, ``SyncHandle.wait``) before they get here.
"""

from typing import TYPE_CHECKING

from bigdata_connectors._lazy import lazy_names

if TYPE_CHECKING:
    from bigdata_connectors._syncs.documents import DocumentsProgressCallback, SyncReport
    from bigdata_connectors._syncs.handle import SyncHandle
    from bigdata_connectors._syncs.many import SyncOutcome, sync_many
    from bigdata_connectors._syncs.progress import ProgressCallback, SyncProgress
    from bigdata_connectors._syncs.start import attach_sync, resume_sync, start_sync, sync_and_wait, wait_for_sync

__all__ = [
    "DocumentsProgressCallback",
    "ProgressCallback",
    "SyncHandle",
    "SyncOutcome",
    "SyncProgress",
    "SyncReport",
    "attach_sync",
    "resume_sync",
    "start_sync",
    "sync_and_wait",
    "sync_many",
    "wait_for_sync",
]

__getattr__ = lazy_names(
    __name__,
    {
        "DocumentsProgressCallback": ".documents",
        "SyncReport": ".documents",
        "SyncHandle": ".handle",
        "SyncOutcome": ".many",
        "sync_many": ".many",
        "ProgressCallback": ".progress",
        "SyncProgress": ".progress",
        "attach_sync": ".start",
        "resume_sync": ".start",
        "start_sync": ".start",
        "sync_and_wait": ".start",
        "wait_for_sync": ".start",
    },
)
