"""``emulator``: serve the built-in emulator, with the options of ``python -m bigdata_connectors.testing``.

Its click options are built from ``bigdata_connectors.testing.EMULATOR_OPTIONS``, the one definition both
front-ends share (reading it loads neither the emulator nor aiohttp.web); the emulator loads when the command runs.
"""

from __future__ import annotations

from typing import Any

import click

from bigdata_connectors.cli._common import PROG
from bigdata_connectors.testing import EMULATOR_OPTIONS, EmulatorOption

__all__ = ["emulator_cmd"]


def _click_option(option: EmulatorOption) -> click.Option:
    if option.kind is bool:
        return click.Option([option.name], is_flag=True, help=option.help)
    low, high = option.minimum, option.maximum
    value_type: click.ParamType[Any]
    if option.choices is not None:
        value_type = click.Choice(option.choices)
    elif low is None and high is None:
        value_type = click.INT if option.kind is int else click.FLOAT if option.kind is float else click.STRING
    elif option.kind is int:
        value_type = click.IntRange(None if low is None else int(low), None if high is None else int(high))
    elif option.kind is float:
        value_type = click.FloatRange(low, high)
    else:
        value_type = click.STRING
    return click.Option([option.name], type=value_type, default=option.default, metavar=option.metavar,
                        help=option.help, show_default=option.default is not None)  # fmt: skip


@click.command(
    "emulator",
    epilog=f"""\b
Examples:
  eval "$({PROG} emulator --env)"    # in the background; exports BIGDATA_BASE_URL, BIGDATA_API_KEY
  kill $BIGDATA_EMULATOR_PID            # ... and stops it
  {PROG} emulator --port 8787          # in the foreground, until Ctrl-C
  {PROG} emulator --port 0 --json      # {{"base_url": ..., "api_key": ..., "pid": ...}} on one line
  {PROG} emulator --preload 20 --fault-rate 0.1 --seed 7   # something to look at, and some faults

\b
python -m bigdata_connectors.testing takes the same options.""",
)
@click.pass_context
def emulator_cmd(ctx: click.Context, /, **values: Any) -> None:
    """Serve the built-in emulator of the Connectors API on loopback, for trying the CLI and for tests.

    Prints the base URL and the (random, emulator-only) API key to use, then serves until Ctrl-C;
    with --env it serves in the background and prints `export` lines for `eval`. Connectors live in
    memory and are gone when it stops. Exit code 2 when it cannot start (a port in use).
    """
    from bigdata_connectors.testing import serve

    ctx.exit(serve(values, prog=f"{PROG} emulator"))


emulator_cmd.params.extend(_click_option(option) for option in EMULATOR_OPTIONS)
