"""Real network parts for tests: a forward proxy (proxy.py, in a child process) and a byte tap in front of it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

PROXY_USER = "proxyuser"


@contextmanager
def forward_proxy(password: str, *, tls: tuple[str, str] | None = None) -> Iterator[int]:
    """proxy.py on an ephemeral loopback port, demanding Basic auth ``proxyuser:password``; yields its port.
    ``tls``: (certificate chain file, key file): the proxy itself speaks TLS (an ``https://`` proxy URL)."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        args = [
            sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", "0", "--port-file", port_file,
            "--num-acceptors", "1", "--num-workers", "1", "--basic-auth", f"{PROXY_USER}:{password}",
            "--log-level", "ERROR",
        ]  # fmt: skip
        if tls is not None:
            args += ["--cert-file", tls[0], "--key-file", tls[1]]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 20
            while not _read(port_file):
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stderr.read().decode(errors="replace") if process.stderr else ""
                    raise RuntimeError(f"proxy.py did not start: {output}")
                time.sleep(0.05)
            yield int(_read(port_file))
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stderr is not None:
                process.stderr.close()


def _read(path: str) -> str:
    try:
        with open(path) as file:
            return file.read().strip()
    except FileNotFoundError:
        return ""


class Tap:
    """A loopback TCP relay in front of the proxy that keeps every byte the client sent it: what the proxy saw."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.received = bytearray()
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def __aenter__(self) -> Tap:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def url(self, password: str | None) -> str:
        credentials = f"{PROXY_USER}:{password}@" if password is not None else ""
        return f"http://{credentials}127.0.0.1:{self.port}"

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, keep: bool) -> None:
            try:
                while chunk := await src.read(65536):
                    if keep:
                        self.received.extend(chunk)
                    dst.write(chunk)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await asyncio.gather(pump(reader, up_writer, True), pump(up_reader, writer, False))
        finally:
            self._tasks.discard(task)
