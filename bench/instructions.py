"""CPU instructions, counted by valgrind's callgrind: the SDK's cost measured so that a busy machine cannot move it.

Timings on a shared machine move by several per cent from one run to the next; the number of instructions a
process executes does not (the same code, inputs and hash seed give the same count, whatever else runs). Two
figures, each as a ratio to its fair floor:

- **``get()``**: the client process's instructions per call (after a warm-up, with what the process then holds
  frozen out of the garbage collector: otherwise how much the interpreter happens to hold, not the code measured,
  sets what each collection costs), against the emulator in another process (not under
  valgrind) over real loopback HTTP: (a) the SDK, (a+) the SDK with its rate limiter on (a limit it never reaches),
  (b) aiohttp + ``Connector.model_validate_json`` on the same bytes. Per call = the difference between a run of
  ``LONG`` and a run of ``SHORT`` calls, divided by their difference (start-up and warm-up cancel out).
- **Start-up**: ``from bigdata_connectors import BigdataClient, Connector`` against the floor (``import aiohttp``
  + ``from pydantic import BaseModel``), whole interpreter runs, bytecode compiled first.

``--baseline DIR`` measures the same for the checkout in DIR (with DIR's own ``.venv``, made by its ``make
install``), so two versions sit side by side in one run. Needs valgrind (Debian's package); without it, says so and
measures nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

from bench._server import API_KEY, emulator_process

SHORT, LONG = 200, 1200
CLIENT = textwrap.dedent(
    """
    import asyncio, gc, sys
    import aiohttp
    from bigdata_connectors import BigdataClient, Connector

    async def main(url, key, cid, variant, calls, concurrency):
        client = BigdataClient(key, base_url=url, max_connections=concurrency,
                               rate_limit=1e9 if variant == "limiter" else None)
        session = aiohttp.ClientSession(headers={"X-API-KEY": key},
                                        connector=aiohttp.TCPConnector(limit=concurrency))
        target = f"{url}/contents/v1/connectors/{cid}"

        async def sdk():
            return await client.connectors.get(cid)

        async def fair():
            async with session.get(target) as resp:
                body = await resp.read()
                resp.raise_for_status()
            return Connector.model_validate_json(body)

        call = fair if variant == "fair" else sdk
        for _ in range(100):
            await call()
        gc.collect()
        gc.freeze()  # what the process held before: out of every collection, so its size weighs on no call
        left = calls

        async def worker():
            nonlocal left
            while left > 0:
                left -= 1
                await call()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        await client.aclose()
        await session.close()

    asyncio.run(main(*sys.argv[1:5], int(sys.argv[5]), int(sys.argv[6])))
    """
)
FLOOR = "import aiohttp; from pydantic import BaseModel"
USING = "from bigdata_connectors import BigdataClient, Connector"
VARIANTS = {
    "sdk": "(a) SDK get()",
    "limiter": "(a+) SDK get(), rate limiter on",
    "fair": "(b) aiohttp + model_validate_json",
}


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": "0"}


def _python(tree: Path | None) -> str:
    """The interpreter that imports ``tree``'s package: its own virtualenv's (an editable install there)."""
    if tree is None:
        return sys.executable
    python = tree / ".venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{tree} has no .venv: run `make install` there first")
    return str(python)


def _instructions(argv: list[str], env: dict[str, str]) -> int:
    """The instructions one process executes, as callgrind counts them."""
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind failed ({out.returncode}): {out.stderr[-2000:]}")
    return int(found.group(1))


def per_call(tree: Path | None, url: str, cid: str, variant: str, concurrency: int) -> int:
    """Instructions per ``get()`` of ``variant`` at ``concurrency``, for the checkout ``tree`` (None: this one)."""
    env = _environment()
    script = [_python(tree), "-c", CLIENT, url, API_KEY, cid, variant]
    short = _instructions([*script, str(SHORT), str(concurrency)], env)
    long = _instructions([*script, str(LONG), str(concurrency)], env)
    return (long - short) // (LONG - SHORT)


def startup(tree: Path | None) -> tuple[int, int]:
    """Instructions of a whole interpreter running the floor, and running the SDK's import."""
    env, python = _environment(), _python(tree)
    package = Path(tree or Path(__file__).resolve().parents[1]) / "bigdata_connectors"
    subprocess.run([python, "-m", "compileall", "-q", str(package)], check=True, env=env)
    return _instructions([python, "-c", FLOOR], env), _instructions([python, "-c", USING], env)


def measure(trees: dict[str, Path | None], concurrencies: list[int]) -> list[str]:
    """The Markdown lines of this section, each tree (a name and a checkout) side by side."""
    if shutil.which("valgrind") is None:
        return [
            "### Instructions (callgrind)",
            "",
            "Skipped: valgrind is not installed (Debian: `apt install valgrind`).",
        ]
    lines = [
        "### Instructions (callgrind): `get()` and start-up, counted rather than timed",
        "",
        f"Per call: the client process's instructions over {LONG - SHORT:,} calls (a run of {LONG:,} minus a run of"
        f" {SHORT:,}), against the emulator in another process over loopback; `PYTHONHASHSEED=0`.",
        "",
        "| checkout | concurrency | variant | instructions / call | vs (b) |",
        "|---|---:|---|---:|---:|",
    ]
    with emulator_process(preload=1) as url:
        request = urllib.request.Request(f"{url}/contents/v1/connectors", headers={"X-API-KEY": API_KEY})
        with urllib.request.urlopen(request) as answer:
            cid = json.load(answer)["results"][0]["connector_id"]
        for name, tree in trees.items():
            for concurrency in concurrencies:
                counts = {v: per_call(tree, url, cid, v, concurrency) for v in VARIANTS}
                for variant, label in VARIANTS.items():
                    ratio = counts[variant] / counts["fair"]
                    lines.append(f"| {name} | {concurrency} | {label} | {counts[variant]:,} | {ratio:.3f}x |")
                print(f"  instructions, {name}, concurrency {concurrency}: done", file=sys.stderr)
    lines += ["", "| checkout | floor | `" + USING + "` | over the floor |", "|---|---:|---:|---:|"]
    for name, tree in trees.items():
        floor, using = startup(tree)
        lines.append(f"| {name} | {floor:,} | {using:,} | {using - floor:+,} ({using / floor:.3f}x) |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="another checkout, measured beside this one")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    args = parser.parse_args(argv)
    trees: dict[str, Path | None] = {}
    if args.baseline is not None:
        trees[f"baseline ({args.baseline.name})"] = args.baseline.resolve()
    trees["this checkout"] = None
    print("\n".join(measure(trees, args.concurrency)))


if __name__ == "__main__":
    main()
