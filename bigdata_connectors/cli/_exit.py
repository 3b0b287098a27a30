"""Exit codes, one per kind of failure and the same in every command, and the one-line message for each error.

Only click and the standard library at import time: the SDK's error classes are imported when an error is being
reported, so ``bigdata-connectors --help`` never loads them. Messages name the command line's flags, not the
SDK's parameters, never a class name, and everything in them that came from a server is ``safe``.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from bigdata_connectors.cli._text import duration, one_line, safe, safe_json

if TYPE_CHECKING:
    from bigdata_connectors import APIConnectionError, APIStatusError, ConnectorsFileError
    from bigdata_connectors.cli._watch import RetryWatch

__all__ = [
    "EXIT_CODES_HELP",
    "ConfigError",
    "ExitCode",
    "NotConfirmed",
    "PlanExitCode",
    "Where",
    "describe",
    "detailed_exitcode_asked",
    "flags",
    "reason",
    "timed_out",
    "unreachable",
]


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
    CONFLICT = 9  # plan/apply: an ambiguous label, a replacement needed, a create's outcome unknown, a stale saved plan
    SYNC_FAILED = 10  # a sync ended with a failure status (or its documents failed to process)
    SYNC_TIMEOUT = 11  # the wait ran out; the sync goes on on the server
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


EXIT_CODES_HELP = """\b
Exit codes (the same in every command):
  0    success
  1    unexpected error (rerun with --debug)
  2    bad usage, an invalid connectors file, a value refused before
       anything was sent, or "no" at a prompt
  3    configuration: no API key, unsafe base URL, unset secret variable
  4    authentication or permission (401, 403)
  5    not found (404)
  6    rate limited (429, after retries)
  7    request rejected (400, 409, 422; a sync of an archived connector)
  8    API unavailable (5xx, no answer, timeout, unreadable answer)
  9    the account conflicts with the declared state (ambiguous label,
       replacement needed, create outcome unknown, saved plan stale)
  10   sync failed (with --documents: also documents that failed)
  11   sync timed out (it goes on on the server)
  130  interrupted
`plan --detailed-exitcode` alone uses terraform's codes instead:
0 no changes, 2 changes, 1 any error."""

_ENV_KEY = "BIGDATA_API_KEY"
# Fields of an error body that the line already shows (message, error code, request id) or that say nothing new.
_SHOWN_BODY_FIELDS = frozenset({"statusCode", "message", "Message", "errorCode", "requestId"})
_BODY_PREVIEW = 300

# The SDK's parameter names as this command line spells them, for messages about values refused before sending.
_FLAGS = {
    "date_limit": "--date-limit",
    "from_date": "--from-date",
    "poll_interval": "--poll-interval",
    "concurrency": "--concurrency",
    "allowed_emails": "--allowed-email",
    "user_id": "--user-id",
    "user_password": "the portal password (--password-env)",
    "session_id": "the session id (--session-id-env)",
    "share_with_org": "--share",
    "replace": "--replace",
    "connector_id": "ID",
    "content_id": "the document ID",
}
_PARAMETER = re.compile(r"(?<![\w.-])(?:config\.)?(" + "|".join(_FLAGS) + r")(?:\.\d+)?(?![\w-])")


def flags(text: str) -> str:
    """``need date_limit`` -> ``need --date-limit``: SDK parameter names in a message, as flags."""
    return _PARAMETER.sub(lambda m: _FLAGS[m.group(1)], text)


@dataclass
class Where:
    """What the message for an error may say about the run it ended: the API's address, the retries seen,
    and whether the SDK's parameter names stand for this command's flags (not in connectors files)."""

    base_url: str | None = None
    watch: RetryWatch | None = None
    flags: bool = True


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
    body says (the SDK's own text repeats the whole body). Server text is made ``safe``."""
    text = f"{err.status_code} {safe(err.message)}"
    if err.error_code:
        text += f" [{safe(err.error_code)}]"
    if err.method:
        text += f" ({err.method} {safe(err.path)})"
    if err.retry_after is not None:
        text += f" retry_after={err.retry_after:g}s"
    text += f" request_id={safe(err.request_id or 'none')}"
    body = err.body
    if isinstance(body, dict):
        extra = {k: v for k, v in body.items() if k not in _SHOWN_BODY_FIELDS}
        if extra:
            raw = safe_json(extra)
            text += f" details={raw[:_BODY_PREVIEW]}{'...' if len(raw) > _BODY_PREVIEW else ''}"
    return text


_DNS = (
    "name or service not known",
    "nodename nor servname",
    "name resolution",
    "no address associated",
    "getaddrinfo",
    "dnserror",
)


def reason(err: BaseException) -> str:
    """Why a connection failed, in words, from the error and its (scrubbed) cause; never aiohttp's text."""
    text = f"{getattr(err, 'message', '')} {err.__cause__ or ''}".lower()
    for needles, said in (
        (("connect call failed", "connection refused"), "connection refused"),
        (_DNS, "the host name does not resolve"),
        (("network is unreachable", "no route to host"), "network unreachable"),
        (("proxy",), "the proxy did not let the request through"),
        (("timed out", "timeout"), "timed out"),
        (("reset by peer", "disconnected", "connection lost", "broken pipe"), "the connection was cut"),
    ):
        if any(n in text for n in needles):
            return said
    return "no connection"


def unreachable(err: APIConnectionError, where: Where) -> str:
    """``could not connect to http://127.0.0.1:9 (connection refused; 4 attempts over 3.6s)``."""
    from bigdata_connectors import APITimeoutError, TLSError

    address = where.base_url or "the API"
    tried = where.watch.attempts(err.path) if where.watch is not None else None
    attempts = "1 attempt" if tried is None else f"{tried[0]} attempts over {duration(tried[1])}"
    request = f"{err.method} {safe(err.path)}" if err.method else "the request"
    if isinstance(err, TLSError):
        detail = safe(err.message).replace(" ssl:default", "")
        return (
            f"{detail} (from the command line: --ssl system or BIGDATA_SSL=system to trust the operating system's "
            "certificates, --ssl /path/to/ca-bundle.pem or SSL_CERT_FILE for a private CA; HTTPS_PROXY for a proxy)"
        )
    if isinstance(err, APITimeoutError):
        return f"no answer from {address} in time ({request}; {attempts})"
    if not err.request_sent:
        return f"could not connect to {address} ({reason(err)}; {attempts})"
    return f"the connection to {address} broke before an answer came ({request}: {reason(err)}; {attempts})"


def _file_problems(err: ConnectorsFileError) -> tuple[ExitCode, str]:
    """An invalid connectors file is a usage error (2); one whose only problems are unset secret variables
    is a configuration error (3), as an unset ``--password-env`` variable is."""
    missing = err.missing_variables  # the variables named in the file but not set

    def unset(message: str) -> bool:
        return any(name in message for name in missing)

    text = f"{safe(err.source)}: " + "; ".join(safe(str(p)) for p in err.problems)
    if err.problems and all(unset(p.message) for p in err.problems):
        return ExitCode.CONFIG, text
    return ExitCode.USAGE, text


def describe(err: BaseException, where: Where | None = None) -> tuple[ExitCode, str]:
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
        DocumentsTimeoutError,
        MalformedResponseError,
        ReplacementRequiredError,
        ResponseTooLargeError,
        ResponseValidationError,
        StalePlanError,
        SyncFailedError,
        SyncTimeoutError,
    )

    where = where or Where()
    named = flags if where.flags else (lambda text: text)
    if isinstance(err, pydantic.ValidationError):
        # Never str(err): it quotes the input, which may hold a password.
        problems = "; ".join(
            f"{named('.'.join(str(p) for p in e['loc'])) or 'value'}: {safe(e['msg'])}"
            for e in err.errors(include_input=False)
        )
        return ExitCode.USAGE, one_line(f"invalid {safe(err.title)}: {problems}")
    if isinstance(err, APIStatusError):
        return _status_code(err), one_line(_status_line(err))
    if isinstance(err, ConnectorsFileError):
        return _file_problems(err)
    if isinstance(err, CreateOutcomeUnknownError):
        lookup = describe(err.lookup_error, where)[1]
        return ExitCode.CONFLICT, (
            f"the answer to creating {safe(repr(err.label))} was lost, and looking the label up again failed "
            f"({lookup}): the connector may exist; run the same command again (it looks before it creates)"
        )
    if isinstance(err, AmbiguousLabelError | ReplacementRequiredError | StalePlanError):
        return ExitCode.CONFLICT, one_line(str(err))
    if isinstance(err, ConfigurationError):
        if str(err).startswith("no API key"):
            return (
                ExitCode.CONFIG,
                f'no API key: set {_ENV_KEY} (to try things locally: eval "$(bigdata-connectors emulator --env)")',
            )
        return ExitCode.CONFIG, one_line(str(err))
    if isinstance(err, APIConnectionError):
        return ExitCode.UNAVAILABLE, unreachable(err, where)
    if isinstance(err, MalformedResponseError):
        # Not valid HTTP, or a list that would not end (a server ignoring ``page``): the SDK's words say which.
        return ExitCode.UNAVAILABLE, one_line(
            f"the answer to {err.method} {safe(err.path)} was broken: {safe(err.message)}"
        )
    if isinstance(err, ResponseTooLargeError):
        return ExitCode.UNAVAILABLE, f"the answer to {err.method} {safe(err.path)} was larger than {err.limit:,} bytes"
    if isinstance(err, ResponseValidationError):
        return ExitCode.UNAVAILABLE, one_line(f"the answer to {err.method} {err.path} could not be read: {err.message}")
    if isinstance(err, ConnectorArchivedError):  # the API refuses a sync on it
        return ExitCode.REJECTED, one_line(str(err))
    if isinstance(err, SyncFailedError):
        detail = f": {safe(err.error_message)}" if err.error_message else ""
        return ExitCode.SYNC_FAILED, one_line(f"the sync failed with status {safe(err.status or 'unknown')}{detail}")
    if isinstance(err, DocumentsTimeoutError):
        return ExitCode.SYNC_TIMEOUT, one_line(
            f"the sync succeeded, but its documents were not all processed after {duration(err.elapsed)}: "
            f"{err.documents}"
        )
    if isinstance(err, SyncTimeoutError):
        return ExitCode.SYNC_TIMEOUT, timed_out(err, where)
    if isinstance(err, ValueError):  # the SDK refused a value before sending anything
        return ExitCode.USAGE, named(one_line(str(err)))
    detail = one_line(str(err))
    return ExitCode.ERROR, f"unexpected error{f': {detail}' if detail else ''} (rerun with --debug for the details)"


def timed_out(err: BaseException, where: Where) -> str:
    """A wait that ran out: how long, and whether the API was reachable at the end."""
    from bigdata_connectors import APIConnectionError

    elapsed = getattr(err, "elapsed", None)
    text = "not finished in time" if not elapsed else f"not finished after {duration(elapsed)}"
    if isinstance(err.__cause__, APIConnectionError):
        text += f"; at the end the API was unreachable: {unreachable(err.__cause__, where)}"
    elif "deadline" in str(err) and not elapsed:
        text += " (the deadline the sync was started with has passed)"
    return text + "; the sync goes on on the server"


class PlanExitCode(int):
    """What ``plan`` returns: 0, or 2 for changes with ``--detailed-exitcode``. A type of its own, so the group
    tells a plan's success apart from an error's code, which that mode turns into 1 (terraform's convention)."""


def detailed_exitcode_asked(args: list[str]) -> bool:
    """Whether the command line asks for ``--detailed-exitcode`` (read from the words themselves, so that even an
    error click finds while parsing them exits 1 rather than 2, which would read as "changes")."""
    words = args[: args.index("--")] if "--" in args else args
    return "--detailed-exitcode" in words


class ConfigError(click.ClickException):
    """The command line's own configuration error (a secret's environment variable is not set): exit 3."""

    exit_code = int(ExitCode.CONFIG)


class NotConfirmed(click.ClickException):
    """The person at the terminal declined: exit 2, nothing was changed."""

    exit_code = int(ExitCode.USAGE)
