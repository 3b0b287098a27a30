"""The README, followed literally by a new user: its quickstart pasted line by line into bash in a clean virtualenv,
then its pytest snippet and its Usage program in that same virtualenv, against the emulator the quickstart starts.

One substitution, and only one: our package is not on PyPI here, so where the README says
``pip install "bigdata-connectors[...]"`` the test installs this checkout (``pip install "<checkout>[...]"``).
Everything else runs as written. Needs the package index (pip downloads the dependencies), as ``make test`` does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
INSTALL = re.compile(r'pip install "bigdata-connectors(\[[a-z,]+\])"')


def between(marker: str) -> str:
    """The README's text between ``<!-- marker:begin ... -->`` and ``<!-- marker:end -->``."""
    match = re.search(rf"<!-- {marker}:begin[^>]*-->\n(.*?)<!-- {marker}:end -->", README, re.S)
    assert match, f"the README has no {marker} block"
    return match.group(1)


def fenced(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block in ``text``."""
    return re.findall(r"```(\w+)\n(.*?)```", text, re.S)


def from_checkout(line: str) -> str:
    """The one substitution: the package from this checkout instead of PyPI."""
    return INSTALL.sub(lambda m: f'pip install "{REPO}{m.group(1)}"', line)


def clean_environment(home: Path) -> dict[str, str]:
    """A new user's shell: no virtualenv active, no BIGDATA_* variables, ``python3`` the interpreter under test."""
    shim = home / "bin"
    shim.mkdir()
    (shim / "python3").symlink_to(getattr(sys, "_base_executable", sys.executable))
    ours = str(Path(sys.executable).parent)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != ours]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIGDATA_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(HOME=str(home), PATH=os.pathsep.join([str(shim), *path]))
    return env


@dataclass
class Followed:
    directory: Path
    env: dict[str, str]
    result: subprocess.CompletedProcess[str]
    lines: list[str]

    def bash(self, script: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """``script`` in bash in the quickstart's directory, with its virtualenv active."""
        full = f"set -euo pipefail\n. bigdata-env/bin/activate\n{script}"
        return subprocess.run(["bash", "-c", full], cwd=self.directory, env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> Followed:
    """The quickstart, each line run in turn in one bash, as pasted; the run stops at the first failing line."""
    directory = tmp_path_factory.mktemp("new-user")
    env = clean_environment(tmp_path_factory.mktemp("home"))
    ((language, body),) = fenced(between("quickstart"))
    assert language == "bash"
    lines = [line for line in body.splitlines() if line.strip()]
    assert sum(bool(INSTALL.search(line)) for line in lines) == 1
    numbered = "\n".join(f"echo '>>> {n}' >&2\n{from_checkout(line)}" for n, line in enumerate(lines))
    # If a line fails, the emulator it may have started must not outlive the test.
    script = f"set -e\ntrap 'kill \"${{BIGDATA_EMULATOR_PID:-}}\" 2>/dev/null || true' EXIT\n{numbered}\n"
    result = subprocess.run(["bash", "-c", script], cwd=directory, env=env, capture_output=True, text=True,
                            timeout=600, check=False)  # fmt: skip
    return Followed(directory, env, result, lines)


def test_the_quickstart_works_pasted_line_by_line(followed: Followed) -> None:
    result = followed.result
    reached = re.findall(r">>> (\d+)", result.stderr)
    failing = followed.lines[int(reached[-1])] if reached else "(none)"
    assert result.returncode == 0, f"failed at: {failing}\n{result.stderr[-3000:]}"
    assert len(reached) == len(followed.lines)
    assert re.search(r"^Broker research +[0-9a-f-]{36} +SUCCESS", result.stdout, re.M), result.stdout
    assert re.search(r"^[0-9A-F]{32} +report_\d+\.pdf", result.stdout, re.M), result.stdout
    assert "in the background" in result.stderr


def test_the_pytest_snippet_works_as_shown(followed: Followed) -> None:
    """The install line, then pytest.ini, conftest.py and test_pipeline.py exactly as the README shows them."""
    section = README[README.index("## Testing your code: the emulator") :]
    ((_, install),) = [b for b in fenced(section[: section.index("<!-- pytest:begin")]) if b[0] == "bash"]
    project = followed.directory / "project"
    project.mkdir()
    for _language, body in fenced(between("pytest")):
        name = re.match(r"# (\S+)", body)
        assert name, body
        (project / name.group(1)).write_text(body)
    assert sorted(p.name for p in project.iterdir()) == ["conftest.py", "pytest.ini", "test_pipeline.py"]
    result = followed.bash(
        f"{from_checkout(install.strip())} --quiet\ncd project\npython -m pytest -q -p no:cacheprovider"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout


def test_the_usage_program_runs_against_the_emulator(followed: Followed) -> None:
    """The Usage section's program, with the two variables it documents, against the emulator."""
    usage = README[README.index("## Usage") :]
    ((_, program),) = fenced(usage[: usage.index("\n## ", 5)])[:1]
    (followed.directory / "usage.py").write_text(program)
    result = followed.bash(
        'eval "$(bigdata-connectors emulator --env --sync-duration 0.5)"\n'
        "trap 'kill \"$BIGDATA_EMULATOR_PID\"' EXIT\n"
        "python usage.py\n"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[0].startswith("SUCCESS ")
    assert "Broker research investment_research" in result.stdout
