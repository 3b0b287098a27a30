"""Writing to stdout when its reader may have gone (``| head -1``): the rest of the output is dropped quietly.

A closed pipe is not an error: the reader has what it wanted. The command goes on (its work, its messages on
stderr, its exit code) with stdout pointed at /dev/null.
"""

from __future__ import annotations

import errno
import os
import sys

import click

__all__ = ["closed_pipe", "echo", "silence_stdout"]


def closed_pipe(err: BaseException) -> bool:
    """Whether ``err`` is a write to a pipe nobody reads any more (EPIPE)."""
    return isinstance(err, OSError) and err.errno == errno.EPIPE


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that later writes and the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests' captured output)
        pass


def echo(text: str, *, err: bool = False) -> None:
    """``click.echo``; on stdout a closed pipe silences stdout instead of raising."""
    try:
        click.echo(text, err=err)
    except OSError as failure:
        if err or not closed_pipe(failure):
            raise
        silence_stdout()
