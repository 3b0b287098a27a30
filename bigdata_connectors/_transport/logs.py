"""``BIGDATA_LOG=debug|info``: the SDK's log records to stderr, without any code (as ``OPENAI_LOG`` does).

A library only logs; where records go is the application's choice. This is the one exception, and only
when asked through the environment: one stderr handler on the ``bigdata_connectors`` logger, added once.
What the SDK logs never holds headers or bodies: method, path, status, request id, timing, attempt.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["enable_stderr_logging"]

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (a redirect, pytest's capture)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def enable_stderr_logging(level: str) -> None:
    """Send ``bigdata_connectors`` records at ``level`` ("debug" or "info") and above to stderr."""
    logger = logging.getLogger("bigdata_connectors")
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
