"""Exit codes, one per error class, and the one-line message each error is reported with.

Only click and the standard library at import time: the SDK's error classes are imported when an error is being
reported, so ``bigdata-connectors --help`` never loads them.
"""

from __future__ import annotations

import enum
import json
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from bigdata_connectors import APIStatusError

__all__ = ["EXIT_CODES_HELP", "ConfigError", "ExitCode", "NotConfirmed", "describe"]


class ExitCode(enum.IntEnum):
    """What ``bigdata-connectors`` exits with. Stable: scripts branch on these."""

    OK = 0
    ERROR = 1  # anything not listed below (a bug: rerun with --debug and report it)
    USAGE = 2  # bad arguments or options, an invalid connectors file, a value refused before sending, "no" at a prompt
    CONFIG = 3  # no API key, an unsafe base URL, a secret's environment variable not set
    AUTH = 4  # 401 / 403: the key is wrong, or not allowed (403 is also the gateway's "no such route")
    NOT_FOUND = 5  # 404: no such connector or document, or no access to it
    RATE_LIMITED = 6  # 429, still refused after the SDK's retries
    REJECTED = 7  # 400 / 409 / 422 and other 4xx: the API refused the request as sent
    UNAVAILABLE = 8  # 5xx, no answer, timeouts, an answer that does not parse
    CONFLICT = 9  # plan/apply: an ambiguous label, a replacement needed, a create whose outcome is unknown
    SYNC_FAILED = 10  # a sync ended with a failure status (or its documents failed to process)
    SYNC_TIMEOUT = 11  # the wait ran out; the sync goes on on the server
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


EXIT_CODES_HELP = """\b
Exit codes:
  0    success
  1    unexpected error (rerun with --debug)
  2    bad usage, an invalid connectors file, or a value refused before anything was sent
  3    configuration: no API key, unsafe base URL, unset secret variable
  4    authentication or permission (401, 403)
  5    not found (404)
  6    rate limited (429, after retries)
  7    request rejected (400, 409, 422; a sync of an archived connector)
  8    API unavailable (5xx, no answer, timeout, unreadable answer)
  9    the account conflicts with the declared state (ambiguous label,
       replacement needed, create outcome unknown)
  10   sync failed
  11   sync timed out (it goes on on the server)
  130  interrupted"""


def _one_line(text: str) -> str:
    return " ".join(text.split())


_ENV_KEY = "BIGDATA_API_KEY"
# Fields of an error body that the line already shows (message, error code, request id) or that say nothing new.
_SHOWN_BODY_FIELDS = frozenset({"statusCode", "message", "Message", "errorCode", "requestId"})
_BODY_PREVIEW = 300


def _status_code(err: APIStatusError) -> ExitCode:
    from bigdata_connectors import AuthenticationError, NotFoundError, PermissionDeniedError, RateLimitError

    if isinstance(err, AuthenticationError | PermissionDeniedError):
        return ExitCode.AUTH
    if isinstance(err, NotFoundError):
        return ExitCode.NOT_FOUND
    if isinstance(err, RateLimitError):
        return ExitCode.RATE_LIMITED
    return ExitCode.UNAVAILABLE if err.status_code >= 500 else ExitCode.REJECTED


def _status_line(err: APIStatusError) -> str:
    """``404 Connector not found [CONNECTOR_NOT_FOUND] (GET /contents/...) request_id=...``, plus what else the
    body says (the SDK's own text repeats the whole body)."""
    text = f"{err.status_code} {err.message}"
    if err.error_code:
        text += f" [{err.error_code}]"
    if err.method:
        text += f" ({err.method} {err.path})"
    if err.retry_after is not None:
        text += f" retry_after={err.retry_after:g}s"
    text += f" request_id={err.request_id or 'none'}"
    body = err.body
    if isinstance(body, dict):
        extra = {k: v for k, v in body.items() if k not in _SHOWN_BODY_FIELDS}
        if extra:
            raw = json.dumps(extra, separators=(",", ":"))
            text += f" details={raw[:_BODY_PREVIEW]}{'...' if len(raw) > _BODY_PREVIEW else ''}"
    return text


def describe(err: BaseException) -> tuple[ExitCode, str]:
    """The exit code and the one-line message for an error a command ended with."""
    import pydantic

    from bigdata_connectors import (
        AmbiguousLabelError,
        APIConnectionError,
        APIStatusError,
        ConfigurationError,
        ConnectorArchivedError,
        ConnectorsFileError,
        CreateOutcomeUnknownError,
        ReplacementRequiredError,
        ResponseValidationError,
        SyncFailedError,
        SyncTimeoutError,
    )

    if isinstance(err, pydantic.ValidationError):
        # Never str(err): it quotes the input, which may hold a password.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in err.errors(include_input=False)
        )
        return ExitCode.USAGE, _one_line(f"invalid {err.title}: {problems}")
    if isinstance(err, APIStatusError):
        return _status_code(err), _one_line(_status_line(err))
    if isinstance(err, ConnectorsFileError):
        return ExitCode.USAGE, _one_line(f"{err.source}: " + "; ".join(str(p) for p in err.problems))
    if isinstance(err, AmbiguousLabelError | ReplacementRequiredError | CreateOutcomeUnknownError):
        return ExitCode.CONFLICT, _one_line(str(err))
    code: ExitCode
    if isinstance(err, ConfigurationError):
        if str(err).startswith("no API key"):
            return (
                ExitCode.CONFIG,
                f"no API key: set {_ENV_KEY} (to try things locally, `bigdata-connectors emulator` prints one)",
            )
        code = ExitCode.CONFIG
    elif isinstance(err, APIConnectionError | ResponseValidationError):
        code = ExitCode.UNAVAILABLE
    elif isinstance(err, ConnectorArchivedError):  # the API refuses a sync on it
        code = ExitCode.REJECTED
    elif isinstance(err, SyncFailedError):
        code = ExitCode.SYNC_FAILED
    elif isinstance(err, SyncTimeoutError):
        code = ExitCode.SYNC_TIMEOUT
    elif isinstance(err, ValueError):  # the SDK refused a value before sending anything
        code = ExitCode.USAGE
    else:
        return ExitCode.ERROR, _one_line(f"unexpected {type(err).__name__}: {err} (rerun with --debug for details)")
    return code, _one_line(str(err) or type(err).__name__)


class ConfigError(click.ClickException):
    """The command line's own configuration error (a secret's environment variable is not set): exit 3."""

    exit_code = int(ExitCode.CONFIG)


class NotConfirmed(click.ClickException):
    """The person at the terminal declined: exit 2, nothing was changed."""

    exit_code = int(ExitCode.USAGE)
