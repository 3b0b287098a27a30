"""Running a command: one client per event loop, the SDK's retries watched, questions asked outside the loop.

Loaded only when a command runs.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from bigdata_connectors import APIConnectionError, BigdataClient
from bigdata_connectors.cli._common import PROG, settings
from bigdata_connectors.cli._exit import ConfigError, Where, describe, reason
from bigdata_connectors.cli._text import duration
from bigdata_connectors.cli._watch import RetryWatch, Streak

__all__ = ["confirm", "interactive", "last_run", "run", "secret"]

T = TypeVar("T")

_last = Where()


def last_run() -> Where:
    """What the last ``run`` knew (the API's address, its retries): for the message of the error it ended with."""
    return _last


def run(
    ctx: click.Context,
    work: Callable[[BigdataClient], Awaitable[T]],
    *,
    on_retry: Callable[[Streak], None] | None = None,
    flags: bool = True,
) -> T:
    """Open a client (API key from BIGDATA_API_KEY, address from --base-url or BIGDATA_BASE_URL, trust from --ssl or
    BIGDATA_SSL), run ``work``
    with it on a fresh event loop, close it, and return what ``work`` returned.

    Each retry the SDK makes goes to ``on_retry`` (the live display), else the first of a run of connection
    failures is said at once on stderr. Ctrl-C ends the loop (KeyboardInterrupt). Never prompt inside ``work``:
    ask with ``confirm`` between two runs, where one Ctrl-C aborts.
    """
    global _last
    debug = settings(ctx).debug
    where = Where(base_url=settings(ctx).base_url, flags=flags)
    noticed: set[str] = set()  # said once per request path: a long wait must not repeat it at every poll

    def notice(streak: Streak) -> None:
        if not debug and streak.path not in noticed and _notice(streak, where):
            noticed.add(streak.path)

    where.watch = RetryWatch(on_retry or notice)
    _last = where

    async def main() -> T:
        async with BigdataClient(base_url=settings(ctx).base_url, ssl=settings(ctx).ssl) as client:
            where.base_url = client.base_url
            return await work(client)

    with where.watch:
        return asyncio.run(main())


def _notice(streak: Streak, where: Where) -> bool:
    """Say at once that the API does not answer (the retries take seconds), or that a retry waits long; return
    whether anything was said."""
    if isinstance(streak.error, APIConnectionError):
        address = where.base_url or "the API"
        click.echo(f"{PROG}: no connection to {address} ({reason(streak.error)}); trying again...", err=True)
        return True
    if streak.sleep >= 5:
        message = describe(streak.error, where)[1]
        click.echo(f"{PROG}: {message}; trying again in {duration(streak.sleep)}...", err=True)
        return True
    return False


def interactive() -> bool:
    """True when a person is at a terminal (both stdin and stdout): only then do we ask questions."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def confirm(question: str) -> bool:
    """Ask on stderr, default no. Call it only outside ``run``: there the default SIGINT handler is in place, so
    one Ctrl-C aborts (click.Abort, exit 130) instead of being held until the answer."""
    try:
        return bool(click.confirm(question, default=False, err=True))
    except click.exceptions.Abort:
        click.echo(err=True)  # end the line the terminal echoed ^C on
        raise


def secret(env_var: str | None, *, option: str, prompt: str) -> str:
    """A secret from the environment variable named by ``option`` (``env_var``), or typed at a hidden prompt.

    Never from a command-line argument: that would land in shell history and in ``ps``.
    Raises ConfigError (exit 3) when the variable is named but unset or empty, and (exit 2) when there is
    neither a variable nor a terminal to ask on. Called before ``run``, so Ctrl-C at the prompt aborts at once.
    """
    if env_var:
        value = os.environ.get(env_var, "")
        if not value:
            raise ConfigError(f"{option} {env_var}: the environment variable {env_var} is not set")
        return value
    if not interactive():
        raise click.UsageError(f"{option} VAR is required when not on a terminal (there is no one to prompt)")
    value = str(click.prompt(prompt, hide_input=True, err=True))
    if not value.strip():
        raise click.UsageError(f"{prompt.lower()} must not be empty")
    return value
