"""``emulator``: serve the built-in emulator (``bigdata_connectors.testing.Emulator``) until interrupted."""

from __future__ import annotations

import click

from bigdata_connectors.cli._common import PROG, json_option

__all__ = ["emulator_cmd"]


@click.command(
    "emulator",
    epilog=f"""\b
Examples:
  {PROG} emulator --port 8787
  eval "$({PROG} emulator --port 8787 | grep export)"   # in a script: see --json
  {PROG} emulator --port 0 --json    # {{"base_url": ..., "api_key": ...}} on the first line""",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8787, show_default=True, help="0 picks a free port.")
@click.option("--host", type=click.Choice(["127.0.0.1", "localhost", "::1"]), default="127.0.0.1", show_default=True)
@click.option("--sync-duration", type=click.FloatRange(min=0), default=3.0, show_default=True, metavar="SECONDS",
              help="How long a sync takes.")  # fmt: skip
@click.option("--preload", type=click.IntRange(min=0), default=0, show_default=True,
              help="investment_research connectors to start with.")  # fmt: skip
@click.option("--seed", type=int, default=None, help="Seed for the emulator's random choices.")
@json_option
def emulator_cmd(port: int, host: str, sync_duration: float, preload: int, seed: int | None, as_json: bool) -> None:
    """Serve the built-in emulator of the Connectors API on loopback, for trying the CLI and for tests.

    Prints the base URL and the (random, emulator-only) API key to use, then serves until Ctrl-C.
    Connectors live in memory and are gone when it stops.
    """
    import asyncio
    import contextlib
    import json

    from bigdata_connectors.testing import Emulator

    async def serve() -> None:
        emulator = Emulator(host=host, port=port, sync_duration=sync_duration, seed=seed)
        async with emulator:
            emulator.preload(preload)
            if as_json:
                click.echo(json.dumps({"base_url": emulator.base_url, "api_key": emulator.api_key}))
            else:
                click.echo(f"Bigdata connectors emulator on {emulator.base_url} (Ctrl-C to stop)")
                click.echo(f"  export BIGDATA_BASE_URL={emulator.base_url}")
                click.echo(f"  export BIGDATA_API_KEY={emulator.api_key}")
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
