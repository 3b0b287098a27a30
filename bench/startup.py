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


def _timed(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds from spawn to exit, the CPU seconds the child used, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), out.stdout


def _clocked(code: str) -> str:
    """``code`` printing how long it took, in seconds: the import alone, without the interpreter's start and exit."""
    return f"import time as _t\n_s = _t.perf_counter()\n{code}\nprint(_t.perf_counter() - _s)"


def compile_package() -> None:
    """Write the package's bytecode, as installing a wheel does. An editable install compiles nothing, and with
    PYTHONDONTWRITEBYTECODE set nothing is written at import either: every run would compile our sources while
    aiohttp and pydantic load theirs precompiled (about 25 ms of difference, nothing to do with the package)."""
    import bigdata_connectors

    package = Path(bigdata_connectors.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, stdout=subprocess.DEVNULL)


def import_times(reps: int) -> dict[str, tuple[float, float, float]]:
    """Median (import ms, wall ms spawn to exit, CPU ms) per case, the cases interleaved."""
    times: dict[str, list[tuple[float, float, float]]] = {name: [] for name in IMPORT_CASES}
    for _ in range(reps):
        for name, code in IMPORT_CASES.items():
            wall, cpu, printed = _timed([sys.executable, "-c", _clocked(code)])
            times[name].append((float(printed.split()[-1]), wall, cpu))
    return {
        name: tuple(statistics.median(run[i] for run in runs) * 1e3 for i in range(3))  # type: ignore[misc]
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
    floor = med[next(k for k in IMPORT_CASES if "(floor)" in k)]
    using = med[f"`{USING}`"]
    added, added_wall, added_cpu = (using[i] - floor[i] for i in range(3))
    lines = [
        f"### 3. Start-up (a fresh interpreter each time, median of {reps}, cases interleaved)",
        "",
        "The package's bytecode is compiled first, as a wheel install does (`python -m compileall`). *import*: the"
        " statements timed inside the interpreter (`time.perf_counter()` around them), what the target is judged on;"
        " *spawn to exit*: the whole process, interpreter start and exit included, as a shell sees it.",
        "",
        "| what | import ms | over the floor | spawn to exit ms | over the floor | CPU ms | over the floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {imp:.1f} | {imp - floor[0]:+.1f} ms | {wall:.0f} | {wall - floor[1]:+.0f} ms | {cpu:.0f} |"
        f" {cpu - floor[2]:+.0f} ms |"
        for name, (imp, wall, cpu) in med.items()
    ]
    loaded = forbidden_imports()
    lines += [
        "",
        f"`{USING}` adds {added:+.1f} ms of import over the floor (target: at most +{TARGET_MS:.0f} ms);"
        f" {added_wall:+.0f} ms spawn to exit.",
        "Adapters or their libraries loaded by it: "
        + (", ".join(f"`{m}`" for m in loaded) if loaded else "none")
        + f" (checked: {', '.join(FORBIDDEN_PREFIXES)}).",
        "",
    ]
    figures = {
        "import_added_ms": added,
        "import_added_wall_ms": added_wall,
        "import_added_cpu_ms": added_cpu,
        "forbidden_loaded": float(len(loaded)),
    }
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
