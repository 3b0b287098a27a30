"""Serving the emulator as a process, as its options (``_options.OPTIONS``, shared by both front-ends) say.

``serve(values)`` runs it:

- in the foreground until Ctrl-C, printing the exports to use (or, with ``--json``, one JSON line);
- with ``--env``, in the background: a detached process serves, and this one prints ``export`` lines (the base
  URL, the key, and the process id with how to stop it) and exits, so ``eval "$(... --env)"`` returns.

Standard library and the emulator only (no click): the ``[testing]`` extra does not bring the CLI's libraries.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import shlex
import signal
import sys
from collections.abc import Callable, Mapping
from typing import Any

from bigdata_connectors.testing._emulator import Emulator
from bigdata_connectors.testing._options import DEFAULT_PORT, OPTIONS

__all__ = ["StartError", "serve"]

_DETACHED = "BIGDATA_EMULATOR_DETACHED"  # set for the background process: after its first line it goes quiet


class StartError(Exception):
    """The emulator could not start (the port is taken, ...): the message says what to do."""


def _argv(values: Mapping[str, Any]) -> list[str]:
    """``values`` back as command-line arguments (for the background process)."""
    args: list[str] = []
    for option in OPTIONS:
        value = values.get(option.dest, option.default)
        if option.dest in ("env", "json"):
            continue
        if option.kind is bool:
            args += [option.name] if value else []
        elif value is not None:
            args += [option.name, str(value)]
    return args


def _info(emulator: Emulator) -> dict[str, Any]:
    info: dict[str, Any] = {"base_url": emulator.base_url, "api_key": emulator.api_key, "pid": os.getpid()}
    if emulator.tls is not None:
        info["ca_path"] = emulator.ca_path
    return info


async def _run(values: Mapping[str, Any], announce: Callable[[Emulator], None]) -> None:
    port = DEFAULT_PORT if values["port"] is None else values["port"]
    emulator = Emulator(
        api_key=values["api_key"],
        host=values["host"],
        port=port,
        sync_duration=values["sync_duration"],
        force_delete_delay=values["force_delete_delay"],
        seed=values["seed"],
        tls=values["tls"],
        rate_limit=values["rate_limit"],
    )
    try:
        await emulator.start()
    except OSError as err:
        taken = err.errno == errno.EADDRINUSE
        hint = ": the port is in use (pick another with --port, or --port 0 for a free one)" if taken else ""
        raise StartError(f"cannot listen on {values['host']}:{port}{hint or f': {err.strerror}'}") from None
    try:
        emulator.preload(values["preload"])
        emulator.list_lag = values["list_lag"]
        emulator.sync_items = values["sync_items"]
        emulator.document_lag = values["document_lag"]
        emulator.document_processing = values["document_processing"]
        if values["fault_rate"]:
            emulator.inject(values["fault_rate"])
        announce(emulator)
        stop = asyncio.Event()
        with contextlib.suppress(NotImplementedError):  # `kill PID` stops it cleanly (its TLS files removed)
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
    finally:
        await emulator.stop()


def _say(emulator: Emulator, as_json: bool) -> None:
    if as_json:
        print(json.dumps(_info(emulator)), flush=True)
    else:
        print(f"Bigdata connectors emulator on {emulator.base_url}", flush=True)  # scripts read this first line
        print(f"  export BIGDATA_BASE_URL={emulator.base_url}", flush=True)
        print(f"  export BIGDATA_API_KEY={emulator.api_key}", flush=True)
        if emulator.tls is not None:
            print(f"  CA certificate to trust: {emulator.ca_path}", flush=True)
            print(
                f"  (BigdataClient(ssl={emulator.ca_path!r}), or export SSL_CERT_FILE={emulator.ca_path})", flush=True
            )
        print("Serving until Ctrl-C.", flush=True)
    if os.environ.get(_DETACHED):  # in the background: nobody reads our output any more
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)


def _in_background(values: Mapping[str, Any]) -> dict[str, Any]:
    """Start a detached ``python -m bigdata_connectors.testing --json ...`` (its own session, so closing this
    terminal does not stop it) and return its first line once it serves."""
    if not hasattr(os, "posix_spawn"):
        raise StartError("--env needs Linux or macOS: run the emulator in another terminal instead")
    # Unless a port is asked for, a free one: its address is in the exports anyway, and 8787 may be taken.
    values = {**values, "port": 0 if values["port"] is None else values["port"]}
    read, write = os.pipe()
    argv = [sys.executable, "-m", "bigdata_connectors.testing", *_argv(values), "--json"]
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, write, 1),
        (os.POSIX_SPAWN_DUP2, write, 2),
        (os.POSIX_SPAWN_CLOSE, read),
    ]
    pid = os.posix_spawn(sys.executable, argv, {**os.environ, _DETACHED: "1"}, file_actions=actions, setsid=True)
    os.close(write)
    with os.fdopen(read, encoding="utf-8", errors="replace") as pipe:
        first = pipe.readline()
        with contextlib.suppress(ValueError):
            info: dict[str, Any] = json.loads(first)
            return info
        said = (first + pipe.read()).strip().splitlines()
    os.waitpid(pid, 0)
    raise StartError(said[-1] if said else "the emulator stopped before it served")


def _exports(info: Mapping[str, Any]) -> list[str]:
    lines = [
        f"export BIGDATA_BASE_URL={shlex.quote(info['base_url'])}",
        f"export BIGDATA_API_KEY={shlex.quote(info['api_key'])}",
    ]
    if "ca_path" in info:
        lines.append(f"export SSL_CERT_FILE={shlex.quote(info['ca_path'])}")
    lines.append(f"export BIGDATA_EMULATOR_PID={info['pid']}  # stop the emulator with: kill $BIGDATA_EMULATOR_PID")
    return lines


def serve(values: Mapping[str, Any], *, prog: str) -> int:
    """Run the emulator as ``values`` (one entry per ``OPTIONS`` dest) say; return the exit code (0, or 2 when it
    could not start, said on stderr). In the foreground it serves until Ctrl-C (SIGINT) or SIGTERM."""
    try:
        if values["env"]:
            info = _in_background(values)
            print("\n".join(_exports(info)), flush=True)
            print(f"{prog}: emulator serving {info['base_url']} in the background (pid {info['pid']}); "
                  f"stop it with: kill {info['pid']}", file=sys.stderr, flush=True)  # fmt: skip
            return 0
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_run(values, lambda emulator: _say(emulator, values["json"])))
        return 0
    except StartError as err:
        print(f"{prog}: error: {err}", file=sys.stderr, flush=True)
        return 2
    except BrokenPipeError:  # `| head -1` read what it wanted; with --env the emulator serves on regardless
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
