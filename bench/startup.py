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


CLI_CASES: dict[str, list[str]] = {
    f"(reference) `python -c '{USING}'`": [],
    "`bigdata-connectors --help`": ["--help"],
    "`bigdata-connectors --version`": ["--version"],
    "`bigdata-connectors list` (emulator, 100 connectors)": ["list"],
    "`bigdata-connectors list --json` (emulator, 100 connectors)": ["list", "--json"],
}
CLI_REPS = 10


def _cli_env(base_url: str) -> dict[str, str]:
    return {**os.environ, "BIGDATA_API_KEY": API_KEY, "BIGDATA_BASE_URL": base_url, "NO_COLOR": "1"}


def cli_times(reps: int = CLI_REPS) -> dict[str, tuple[float, float]] | None:
    """Median (wall ms spawn to exit, CPU ms) of each CLI case, a fresh process each run, the cases interleaved;
    the API commands against an emulator of 100 connectors in another process. None without the CLI."""
    script = cli_path()
    if script is None:
        return None
    with emulator_process(preload=100) as base_url:
        env = _cli_env(base_url)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in CLI_CASES}
        for _ in range(reps):
            for name, args in CLI_CASES.items():
                argv = [script, *args] if args else [sys.executable, "-c", USING]
                wall, cpu, _ = _timed(argv, env)
                runs[name].append((wall, cpu))
    return {name: tuple(statistics.median(r[i] for r in v) * 1e3 for i in range(2)) for name, v in runs.items()}  # type: ignore[misc]


def _group(module: str) -> str:
    """Where a module's import time is counted: the SDK's parts apart, everything else by top-level package."""
    for prefix, group in (
        ("bigdata_connectors._generated", "the SDK's models (`_generated`)"),
        ("bigdata_connectors.cli", "the CLI (`bigdata_connectors.cli`)"),
        ("bigdata_connectors.testing", "`bigdata_connectors.testing` (the emulator's option table)"),
        ("bigdata_connectors", "the SDK's own modules"),
        ("__editable__", "the editable install's finder (not in a wheel install)"),
    ):
        if module.startswith(prefix):
            return group
    top = module.split(".")[0]
    return f"`{top}`"


def cli_import_breakdown(args: Sequence[str], reps: int = 5) -> list[tuple[str, float]]:
    """Where the import time of ``bigdata-connectors ARGS`` goes (``python -X importtime``, self times summed per
    group, median of ``reps`` fresh processes), largest first, in milliseconds."""
    script = cli_path()
    if script is None:
        return []
    with emulator_process(preload=100) as base_url:
        env = _cli_env(base_url)
        per_run: list[dict[str, float]] = []
        for _ in range(reps):
            out = subprocess.run([sys.executable, "-X", "importtime", script, *args], env=env, check=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
            groups: dict[str, float] = {}
            for line in out.stderr.splitlines():
                if not line.startswith("import time:") or "self [us]" in line:
                    continue
                self_us, _cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
                groups[_group(name)] = groups.get(_group(name), 0.0) + int(self_us) / 1e3
            per_run.append(groups)
    names = {name for run in per_run for name in run}
    medians = {name: statistics.median(run.get(name, 0.0) for run in per_run) for name in names}
    return sorted(medians.items(), key=lambda item: -item[1])


def cli_lines(reps: int = CLI_REPS) -> tuple[list[str], dict[str, float]]:
    """The CLI rows of section 3 (``python -m bench.startup --cli`` prints them alone)."""
    compile_package()
    cli = cli_times(reps)
    if cli is None:
        return ["CLI: `bigdata-connectors` is not installed in this environment; not measured."], {}
    lines = [
        f"| CLI command (a fresh process each run, median of {reps}, cases interleaved) | spawn to exit ms | CPU ms |",
        "|---|---:|---:|",
        *(f"| {name} | {wall:.0f} | {cpu:.0f} |" for name, (wall, cpu) in cli.items()),
    ]
    breakdown = cli_import_breakdown(["list"])
    total = sum(ms for _, ms in breakdown)
    shown = [(name, ms) for name, ms in breakdown if ms >= 5.0]
    rest = total - sum(ms for _, ms in shown)
    lines += [
        "",
        f"Where the imports of `bigdata-connectors list` go (`python -X importtime`, self time per package, median of 5;"
        f" {total:.0f} ms in all):",
        "",
        "| imported | ms |",
        "|---|---:|",
        *(f"| {name} | {ms:.1f} |" for name, ms in shown),
        f"| everything else (under 5 ms each) | {rest:.1f} |",
    ]
    figures = {
        f"cli_{'_'.join(args).strip('-').replace('-', '')}_ms": cli[name][0] for name, args in CLI_CASES.items() if args
    }
    return lines, figures


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
    cli, cli_figures = cli_lines(3 if reps < 10 else CLI_REPS)
    lines += cli
    figures |= cli_figures
    return lines, figures


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m bench.startup --cli [--reps N]``: the CLI rows of section 3 alone (about half a minute)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--cli", action="store_true", help="only the CLI rows")
    parser.add_argument("--reps", type=int, default=CLI_REPS)
    args = parser.parse_args(argv)
    lines = cli_lines(args.reps)[0] if args.cli else bench_startup(args.reps)[0]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
