"""``python -m bench.profile``: where the SDK's ``get()`` spends its time, beside the fair baseline (b).

Runs the SDK and (b) (``bench.overhead``) under cProfile at one concurrency against the emulator in another
process, then prints, per function, the internal time each spends and the difference: what the SDK does that (b)
does not. ``--pyinstrument`` prints a pyinstrument call tree of the SDK run instead.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
from typing import Any

from bench import overhead
from bench._server import emulator_process

Stats = dict[str, tuple[int, float]]  # function -> (calls, internal seconds)


def _table(profile: cProfile.Profile) -> Stats:
    raw: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    table: Stats = {}
    for (filename, line, name), (_, calls, tottime, _, _) in raw.items():
        where = filename.split("site-packages/")[-1].split("/work/")[-1]
        table[f"{where}:{line}({name})"] = (calls, tottime)
    return table


async def _profile(base_url: str, concurrency: int, calls: int, pyinstrument: bool) -> None:
    async with overhead.sdk_client(base_url, 1) as client:
        connector_id = str((await client.connectors.list())[0].connector_id)
    variants = overhead.Variants(base_url, connector_id, concurrency)
    try:
        for call in (variants.sdk_get, variants.fair):
            await overhead.drive(call, max(1000, 4 * concurrency), concurrency)
        if pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
            await overhead.drive(variants.sdk_get, calls, concurrency)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            return
        tables = {}
        for name, call in (("sdk", variants.sdk_get), ("fair", variants.fair)):
            profile = cProfile.Profile()
            profile.enable()
            wall, cpu = await overhead.drive(call, calls, concurrency)
            profile.disable()
            tables[name] = _table(profile)
            print(f"{name}: {calls / wall:,.0f} calls/s, {1e6 * cpu / calls:.1f} us CPU per call (under cProfile)")
    finally:
        await variants.aclose()
    sdk, fair = tables["sdk"], tables["fair"]
    names = sorted(set(sdk) | set(fair), key=lambda n: -abs(sdk.get(n, (0, 0.0))[1] - fair.get(n, (0, 0.0))[1]))
    print(f"\n{'us/call SDK':>11} {'(b)':>7} {'diff':>7}  function (internal time; calls SDK/(b))")
    for name in names[:40]:
        (a_calls, a), (b_calls, b) = sdk.get(name, (0, 0.0)), fair.get(name, (0, 0.0))
        print(
            f"{1e6 * a / calls:11.2f} {1e6 * b / calls:7.2f} {1e6 * (a - b) / calls:+7.2f}  {name} {a_calls}/{b_calls}"
        )
    total_a, total_b = sum(t for _, t in sdk.values()), sum(t for _, t in fair.values())
    print(
        f"{1e6 * total_a / calls:11.2f} {1e6 * total_b / calls:7.2f} {1e6 * (total_a - total_b) / calls:+7.2f}  total"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args(argv)
    with emulator_process(preload=1) as base_url:
        asyncio.run(_profile(base_url, args.concurrency, args.calls, args.pyinstrument))


if __name__ == "__main__":
    main()
