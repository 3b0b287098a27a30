"""A closed pipe is not an error: ``| head -1`` and ``| head -c 10`` leave every command quiet, exit 0, in table
and JSON mode alike, through real pipes (a pipe whose reader has gone, and real bash pipelines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import ThreadedEmulator, cli_env
from tests.cli.terminal import closed_pipe, shell
from tests.conftest import PASSWORD


@pytest.fixture
def ids(emu: ThreadedEmulator) -> dict[str, str]:
    broker, spare, doomed, doomed_too = (str(i) for i in emu.call(emu.emulator.preload, 4))
    emu.emulator.sync_items = 3
    emu.emulator.document_processing = 0.0
    result = closed_pipe(["sync", broker, "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.05"],
                         cli_env(emu.base_url))  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {"broker": broker, "spare": spare, "doomed": doomed, "doomed_too": doomed_too}


def test_every_command_exits_quietly_on_a_closed_pipe(
    emu: ThreadedEmulator, ids: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "connectors.yaml"
    path.write_text("connectors:\n  - label: Inbox\n    type: email\n")
    env = cli_env(emu.base_url, BROKER_PW=PASSWORD)
    b, s = ids["broker"], ids["spare"]
    wait = ["--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.05"]
    both = [
        ["list"],
        ["list", "--all"],
        ["get", b],
        ["documents", b],
        ["sync", s, "--date-limit", "2026-01-01"],
        ["sync", s, *wait],
        ["sync", b, s, *wait, "--documents"],
        ["plan", "-f", str(path)],
        ["apply", "-f", str(path), "--yes"],
        ["create", "--type", "email", "--label", "Mail"],
        ["create", "--type", "investment_research", "--label", "B", "--user-id", "me", "--password-env", "BROKER_PW"],
        ["update", b, "--description", "d"],
    ]
    commands = [
        ["--help"],
        ["--version"],
        ["list", "--help"],
        ["get", b, "--version"],
        ["completion", "bash"],
        ["create", "--type", "email", "--label", "Quiet", "--quiet"],
        ["delete", ids["doomed"], "--force", "--yes"],
        ["delete", ids["doomed_too"], "--force", "--yes", "--json"],
        *both,
        *([*args, "--json"] for args in both),
        ["archive", s],
        ["archive", s, "--json"],  # archiving twice is harmless
    ]
    for args in commands:
        result = closed_pipe(args, env)
        assert (result.returncode, result.stderr) == (0, ""), args
    assert emu.emulator.requests["delete"] == 2 + 2  # the work was done (two deletions, two archives)


def test_a_closed_pipe_keeps_a_failures_exit_code(emu: ThreadedEmulator, ids: dict[str, str]) -> None:
    """The reader went away, but the sync still failed: scripts with pipefail must see 10, and why on stderr."""
    emu.call(emu.emulator.fail_next_syncs, 1)
    args = ["sync", ids["spare"], "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.05"]
    result = closed_pipe(args, cli_env(emu.base_url))
    assert result.returncode == 10
    assert "broker login rejected" in result.stderr
    assert "Broken" not in result.stderr


@pytest.mark.parametrize("json_mode", [False, True])
def test_head_in_a_real_pipeline(emu: ThreadedEmulator, json_mode: bool) -> None:
    """Outputs far larger than a pipe's buffer, so the writer is still writing when head has gone."""
    emu.call(emu.emulator.preload, 1500)
    (cid,) = emu.call(emu.emulator.preload, 1)
    emu.emulator.sync_items = 1200
    emu.emulator.document_processing = 0.0
    env = cli_env(emu.base_url)
    flag = "--json" if json_mode else ""
    sync = shell(f"bigdata-connectors sync {cid} --date-limit 2026-01-01 --wait --poll-interval 0.05 {flag}", env)
    assert sync.returncode == 0, sync.stderr
    for command in (f"list {flag}", f"documents {cid} {flag}"):
        for head in ("head -1", "head -c 10"):
            result = shell(f"bigdata-connectors {command} | {head}", env)
            assert (result.returncode, result.stderr) == (0, ""), (command, head, result.stderr)
            assert result.stdout
            if json_mode and head == "head -1":
                assert json.loads(result.stdout)
