"""Running a command: one client per invocation, one event loop, secrets from the environment or a prompt.

Loaded only when a command runs.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from bigdata_connectors import BigdataClient
from bigdata_connectors.cli._common import settings
from bigdata_connectors.cli._exit import ConfigError

__all__ = ["interactive", "run", "secret"]

T = TypeVar("T")


def run(ctx: click.Context, work: Callable[[BigdataClient], Awaitable[T]]) -> T:
    """Open a client (API key from BIGDATA_API_KEY, address from --base-url or BIGDATA_BASE_URL),
    run ``work`` with it on a fresh event loop, close it, and return what ``work`` returned."""
    base_url = settings(ctx).base_url

    async def main() -> T:
        async with BigdataClient(base_url=base_url) as client:
            return await work(client)

    return asyncio.run(main())


def interactive() -> bool:
    """True when a person is at a terminal (both stdin and stdout): only then do we ask questions."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def secret(env_var: str | None, *, option: str, prompt: str) -> str:
    """A secret from the environment variable named by ``option`` (``env_var``), or typed at a hidden prompt.

    Never from a command-line argument: that would land in shell history and in ``ps``.
    Raises ConfigError (exit 3) when the variable is named but unset or empty, and (exit 2) when there is
    neither a variable nor a terminal to ask on.
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
