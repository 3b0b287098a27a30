"""Start-up: what ``import bigdata_connectors`` adds over the honest floor, what it must never load, and the CLI.

Each case runs in a fresh interpreter (``python -c``), the cases interleaved, many times; medians. The floor
is ``import aiohttp`` plus ``from pydantic import BaseModel``: any pydantic SDK on aiohttp pays that much.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench._server import API_KEY, emulator_process

FLOOR = "import aiohttp; from pydantic import BaseModel"
# The package's public names are loaded on first access (PEP 562), so `import bigdata_connectors` alone loads
# almost nothing; what a program using the SDK pays is the import of the client and a model. That is the row
# the target is judged on.
USING = "from bigdata_connectors import BigdataClient, Connector"
# Context, not the target: defining any pydantic model imports pydantic.fields, and with it pydantic.types and
# annotated_types, which `from pydantic import BaseModel` alone does not.
FLOOR_WITH_A_MODEL = FLOOR + "\nclass M(BaseModel):\n    x: int"
IMPORT_CASES = {
    "`python -c pass`": "pass",
    "`import aiohttp` + `from pydantic import BaseModel` (floor)": FLOOR,
    "the floor + one model class (`class M(BaseModel): x: int`)": FLOOR_WITH_A_MODEL,
    "`import bigdata_connectors`": "import bigdata_connectors",
    "`from bigdata_connectors import BigdataClient, Connector`": USING,
}
TARGET_MS = 35.0
# Modules the core must never load: the adapters, and the libraries only they need.
FORBIDDEN_PREFIXES = (
    "bigdata_connectors.testing",
    "bigdata_connectors.cli",
    "bigdata_connectors.airflow",
    "aiohttp.web",
    "airflow",
    "click",
    "typer",
    "rich",
)


def forbidden_imports() -> list[str]:
    """Modules of FORBIDDEN_PREFIXES that importing the client and the models loads in a fresh interpreter (none, ideally)."""
    code = f"import json, sys; {USING}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return [m for m in json.loads(out) if any(m == p or m.startswith(p + ".") for p in FORBIDDEN_PREFIXES)]


def _timed(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds from spawn to exit, and the CPU seconds the child used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def compile_package() -> None:
    """Write the package's bytecode, as installing a wheel does. An editable install compiles nothing, and with
    PYTHONDONTWRITEBYTECODE set nothing is written at import either: every run would compile our sources while
    aiohttp and pydantic load theirs precompiled (about 25 ms of difference, nothing to do with the package)."""
    import bigdata_connectors

    package = Path(bigdata_connectors.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, stdout=subprocess.DEVNULL)


def import_times(reps: int) -> dict[str, tuple[float, float]]:
    """Median (wall ms, CPU ms) per case, the cases interleaved."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in IMPORT_CASES}
    for _ in range(reps):
        for name, code in IMPORT_CASES.items():
            times[name].append(_timed([sys.executable, "-c", code]))
    return {
        name: (statistics.median(w for w, _ in runs) * 1e3, statistics.median(c for _, c in runs) * 1e3)
        for name, runs in times.items()
    }


def cli_path() -> str | None:
    """The ``bigdata-connectors`` console script of this environment, if the CLI is installed."""
    beside = Path(sys.executable).with_name("bigdata-connectors")
    return str(beside) if beside.exists() else shutil.which("bigdata-connectors")


def cli_times(reps: int) -> dict[str, float] | None:
    """Median wall milliseconds of ``--help`` and of ``list --json`` against an emulator of 100 connectors."""
    script = cli_path()
    if script is None:
        return None
    with emulator_process(preload=100) as base_url:
        env = {**os.environ, "BIGDATA_API_KEY": API_KEY, "BIGDATA_BASE_URL": base_url, "NO_COLOR": "1"}
        runs: dict[str, list[float]] = {"help": [], "list": []}
        for _ in range(reps):
            runs["help"].append(_timed([script, "--help"], env)[0])
            runs["list"].append(_timed([script, "list", "--json"], env)[0])
    return {name: statistics.median(v) * 1e3 for name, v in runs.items()}


def bench_startup(reps: int) -> tuple[list[str], dict[str, float]]:
    """Section 3 of ``make bench``: the lines, and the figures for the summary."""
    compile_package()
    med = import_times(reps)
    floor, floor_cpu = med[next(k for k in IMPORT_CASES if "(floor)" in k)]
    using = med[f"`{USING}`"]
    added, added_cpu = using[0] - floor, using[1] - floor_cpu
    lines = [
        f"### 3. Start-up (fresh interpreter each time, spawn to exit, median of {reps}, cases interleaved)",
        "",
        "The package's bytecode is compiled first, as a wheel install does (`python -m compileall`).",
        "",
        "| what | wall ms | over the floor | CPU ms | over the floor |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {ms:.0f} | {ms - floor:+.0f} ms | {cpu:.0f} | {cpu - floor_cpu:+.0f} ms |"
        for name, (ms, cpu) in med.items()
    ]
    loaded = forbidden_imports()
    lines += [
        "",
        f"`{USING}` adds {added:+.0f} ms over the floor (target: at most +{TARGET_MS:.0f} ms).",
        "Adapters or their libraries loaded by it: "
        + (", ".join(f"`{m}`" for m in loaded) if loaded else "none")
        + f" (checked: {', '.join(FORBIDDEN_PREFIXES)}).",
        "",
    ]
    figures = {"import_added_ms": added, "import_added_cpu_ms": added_cpu, "forbidden_loaded": float(len(loaded))}
    cli = cli_times(max(5, reps // 3))
    if cli is None:
        lines.append("CLI: `bigdata-connectors` is not installed in this environment; not measured.")
    else:
        lines += [
            "| CLI command (wall time, median) | ms |",
            "|---|---:|",
            f"| `bigdata-connectors --help` | {cli['help']:.0f} |",
            f"| `bigdata-connectors list --json` (emulator, 100 connectors) | {cli['list']:.0f} |",
        ]
        figures |= {"cli_help_ms": cli["help"], "cli_list_ms": cli["list"]}
    return lines, figures
