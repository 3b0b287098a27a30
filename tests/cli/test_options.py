"""Global options anywhere on the line, and shell completion that bash can load and use (real processes)."""

from __future__ import annotations

import re
import subprocess

from bigdata_connectors import __version__
from bigdata_connectors.cli import cli
from tests.cli.conftest import ThreadedEmulator, cli_command, cli_env
from tests.cli.terminal import plain, run_in_pty, shell

ID = "019a9612-bfad-758c-884e-37dd8c6ad2cb"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cli_command(), *args], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_debug_after_the_command(emu: ThreadedEmulator) -> None:
    env = cli_env(emu.base_url)
    for args in (["--debug", "get", ID], ["get", ID, "--debug"], ["get", "--debug", ID]):
        result = run(env, *args)
        assert result.returncode == 5, (args, result.stderr)
        assert "Traceback" in result.stderr, args  # --debug took effect wherever it was
        assert "bigdata_connectors" in result.stderr
    code, out = run_in_pty(["get", ID, "--debug"], cli_env(emu.base_url, TERM="xterm"))
    assert code == 5
    assert "Traceback" in out
    assert "No such option" not in out


def test_base_url_after_the_command(emu: ThreadedEmulator) -> None:
    (cid,) = (str(i) for i in emu.call(emu.emulator.preload, 1))
    env = cli_env("http://127.0.0.1:9")  # the environment points nowhere
    for args in (["--base-url", emu.base_url, "get", cid], ["get", cid, "--base-url", emu.base_url],
                 ["list", f"--base-url={emu.base_url}", "--json"]):  # fmt: skip
        result = run(env, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert cid in result.stdout
    both = run(env, "--base-url", "http://127.0.0.1:9", "get", cid, "--base-url", emu.base_url)
    assert both.returncode == 0  # the one nearer the command wins


def test_version_anywhere(emu: ThreadedEmulator) -> None:
    env = cli_env(emu.base_url)
    for args in (["--version"], ["-V"], ["list", "--version"], ["get", ID, "-V"]):
        result = run(env, *args)
        assert (result.returncode, result.stdout) == (0, f"bigdata-connectors {__version__}\n"), args


def test_every_command_takes_the_global_options() -> None:
    for name, command in cli.commands.items():
        names = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert {"--base-url", "--debug", "--version"} <= names, name


def test_completion_scripts() -> None:
    for shell_name, marker in (("bash", "complete -o nosort -F"), ("zsh", "compdef"), ("fish", "complete --no-files")):
        result = run({}, "completion", shell_name)
        assert result.returncode == 0, result.stderr
        assert "_BIGDATA_CONNECTORS_COMPLETE" in result.stdout
        assert marker in result.stdout
    assert run({}, "completion", "tcsh").returncode == 2


def test_bash_loads_the_completion_and_completes(emu: ThreadedEmulator) -> None:
    """Sourced into bash as the README says, Tab (the function bash calls) completes commands and options."""
    script = """
    set -e
    eval "$(bigdata-connectors completion bash)"
    complete -p bigdata-connectors
    complete_line() {
        COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
        _bigdata_connectors_completion "$1" "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"  # as bash calls it
        echo "${COMPREPLY[*]}"
    }
    complete_line bigdata-connectors li
    complete_line bigdata-connectors sy
    complete_line bigdata-connectors sync --res
    complete_line bigdata-connectors documents ID --status fa
    """
    result = shell(script, cli_env(emu.base_url))
    assert result.returncode == 0, result.stderr
    registered, *answers = result.stdout.splitlines()
    assert "_bigdata_connectors_completion" in registered
    assert answers == ["list", "sync", "--resume", "failed"]


def test_help_shows_the_global_options_on_every_command(emu: ThreadedEmulator) -> None:
    code, out = run_in_pty(["get", "--help"], cli_env(emu.base_url, TERM="xterm"))
    assert code == 0
    assert re.search(r"--base-url URL +The API's address", plain(out))
    assert re.search(r"--debug +Show tracebacks", plain(out))


def test_the_readme_documents_every_flag_the_help_shows() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = []
    for name, command in cli.commands.items():
        assert f"`{name}" in readme or f"{name} " in readme, name
        for param in command.params:
            if getattr(param, "hidden", False):
                continue
            for flag in (o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")):
                if flag not in readme:
                    missing.append(f"{name} {flag}")
    assert not missing, missing
