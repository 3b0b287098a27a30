"""The CLI as users run it, for tests: on a real pseudo-terminal (as its controlling terminal, so Ctrl-C typed
there is the kernel's SIGINT to the foreground process group, as in a shell), and through real pipes."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence

from tests.cli.conftest import cli_command

__all__ = ["CTRL_C", "SGR", "Terminal", "closed_pipe", "plain", "run_in_pty", "shell"]

CTRL_C = b"\x03"
SGR = re.compile(r"\x1b\[[0-9;]*m")
# What rich's live display and our tables emit on their own: colours, cursor show/hide, erase line, cursor up.
_OWN_CONTROLS = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\?25[lh]|\x1b\[2K|\x1b\[1A|\r")

# Become the session leader of a new session with the pty as controlling terminal, then exec the command.
_WITH_TERMINAL = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); os.execv(sys.argv[1], sys.argv[1:])"
)


def plain(output: str) -> str:
    """The output without the control sequences our own display uses (what is left must not contain ESC)."""
    return _OWN_CONTROLS.sub("", output)


class Terminal:
    """A CLI process on a ``columns`` x ``rows`` pseudo-terminal. ``expect`` reads until a text appears, ``type``
    types keys (``CTRL_C`` is a real Ctrl-C), ``finish`` waits for the exit: (exit code, everything shown)."""

    def __init__(self, args: Sequence[str], env: dict[str, str], *, columns: int = 120, rows: int = 40) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WITH_TERMINAL, *cli_command(), *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
        os.close(slave)
        self.seen = b""

    def _read(self, until: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(min(until - time.monotonic(), 0.2), 0))
        if not ready:
            return self.proc.poll() is None
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.seen += data
        return bool(data)

    def expect(self, text: bytes, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            if time.monotonic() > deadline or not self._read(deadline):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.finish(timeout=0)  # no process left behind
                raise AssertionError(f"{text!r} never appeared; the terminal shows: {self.text[-3000:]!r}")

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    @property
    def text(self) -> str:
        return self.seen.decode("utf-8", errors="replace")

    def finish(self, timeout: float = 60.0) -> tuple[int, str]:
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and self._read(deadline):
                pass
            code = self.proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            os.close(self.master)
        return code, self.text


def run_in_pty(
    args: Sequence[str], env: dict[str, str], *, columns: int = 120, timeout: float = 60.0
) -> tuple[int, str]:
    """Run to the end on a terminal ``columns`` wide; (exit code, everything shown)."""
    return Terminal(args, env, columns=columns).finish(timeout)


def closed_pipe(args: Sequence[str], env: dict[str, str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe whose reader is already gone: every write to stdout fails (EPIPE), as after
    ``| head -1`` has what it wanted. stderr is captured."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([*cli_command(), *args], stdout=write, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              env=env, text=True, timeout=timeout, check=False)  # fmt: skip
    finally:
        os.close(write)


def shell(script: str, env: dict[str, str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in bash (``pipefail`` on, so a pipeline's status is its first failure's)."""
    bin_dir = os.path.dirname(cli_command()[0]) if len(cli_command()) == 1 else os.path.dirname(sys.executable)
    env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"}
    return subprocess.run(["bash", "-o", "pipefail", "-c", script], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip
