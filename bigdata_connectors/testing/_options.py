"""The emulator's command-line options, defined once for both front-ends.

``python -m bigdata_connectors.testing`` builds its argparse parser from ``OPTIONS`` (``parser``), and
``bigdata-connectors emulator`` its click options, so the two take the same flags with the same defaults. Standard
library only: the CLI reads this table for ``--help`` without loading the emulator (aiohttp.web).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

__all__ = ["DEFAULT_PORT", "OPTIONS", "EmulatorOption", "defaults", "parser"]

DEFAULT_PORT = 8787


@dataclass(frozen=True, slots=True)
class EmulatorOption:
    """One option: ``kind`` is ``bool`` for a flag, else the value's type; ``minimum``/``maximum`` bound numbers."""

    name: str
    kind: type[Any]
    default: Any
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None

    @property
    def dest(self) -> str:
        return self.name.removeprefix("--").replace("-", "_")


OPTIONS: tuple[EmulatorOption, ...] = (
    EmulatorOption(
        "--port",
        int,
        None,
        f"The port to listen on (default: {DEFAULT_PORT}; with --env, a free one); 0 picks a free one.",
        "PORT",
        minimum=0,
        maximum=65535,
    ),
    EmulatorOption(
        "--host", str, "127.0.0.1", "The loopback address to listen on.", choices=("127.0.0.1", "localhost", "::1")
    ),
    EmulatorOption("--api-key", str, None, "The key clients must send (default: a random one, printed).", "KEY"),
    EmulatorOption("--sync-duration", float, 3.0, "Seconds a sync takes.", "SECONDS", minimum=0),
    EmulatorOption(
        "--sync-items",
        int,
        None,
        "Items (and documents) each sync brings in (default: 1 to 50 at random).",
        "N",
        minimum=0,
    ),
    EmulatorOption("--document-lag", float, 0.0, "Seconds before a new document is listed.", "SECONDS", minimum=0),
    EmulatorOption(
        "--document-processing", float, 0.3, "Seconds a document takes to be processed.", "SECONDS", minimum=0
    ),
    EmulatorOption("--force-delete-delay", float, 1.0, "Seconds until a force delete completes.", "SECONDS", minimum=0),
    EmulatorOption(
        "--list-lag",
        float,
        0.0,
        "Seconds a new connector stays out of the list (get finds it at once).",
        "SECONDS",
        minimum=0,
    ),
    EmulatorOption(
        "--fault-rate",
        float,
        0.0,
        "Fraction of requests answered with a fault (429, 5xx, drops...).",
        "RATE",
        minimum=0,
        maximum=1,
    ),
    EmulatorOption(
        "--rate-limit", int, None, "Requests per key a minute before 429 (default: no limit).", "N", minimum=1
    ),
    EmulatorOption("--seed", int, None, "Seed for the emulator's random choices.", "N"),
    EmulatorOption("--preload", int, 0, "investment_research connectors to start with.", "N", minimum=0),
    EmulatorOption("--tls", bool, False, "Serve https:// with a CA minted now (its file is printed; needs trustme)."),
    EmulatorOption("--json", bool, False, "Print one JSON line (base_url, api_key, pid; ca_path with --tls)."),
    EmulatorOption("--env", bool, False, "Serve in the background; print the export lines (for eval) and return."),
)


def _bounded(option: EmulatorOption) -> Callable[[str], Any]:
    import argparse

    def convert(text: str) -> Any:
        try:
            value = option.kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a valid {option.kind.__name__}: {text!r}") from None
        if option.minimum is not None and value < option.minimum:
            raise argparse.ArgumentTypeError(f"must be at least {option.minimum:g}")
        if option.maximum is not None and value > option.maximum:
            raise argparse.ArgumentTypeError(f"must be at most {option.maximum:g}")
        return value

    return convert


def parser(prog: str) -> argparse.ArgumentParser:
    """The argparse parser of ``OPTIONS`` (for ``python -m bigdata_connectors.testing``)."""
    import argparse  # here: the CLI reads OPTIONS on every start, and never needs argparse

    built = argparse.ArgumentParser(prog=prog, description="Serve the Connectors API emulator on loopback.")
    for option in OPTIONS:
        if option.kind is bool:
            built.add_argument(option.name, action="store_true", help=option.help)
        else:
            built.add_argument(
                option.name,
                type=_bounded(option),
                default=option.default,
                metavar=option.metavar,
                choices=option.choices,
                help=option.help,
            )
    return built


def defaults(overrides: Iterable[tuple[str, Any]] = ()) -> dict[str, Any]:
    """Every option at its default, then ``overrides`` (dest, value): for tests and embedding."""
    return {option.dest: option.default for option in OPTIONS} | dict(overrides)
