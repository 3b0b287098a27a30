"""``export``, ``plan --out`` / ``apply PLANFILE`` and ``plan --detailed-exitcode``, run as users run them: the
installed command through real pipes (and a real terminal where a question could be asked), against the emulator."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from bigdata_connectors.cli._exit import ExitCode
from tests.cli.conftest import Invoker, ThreadedEmulator, assert_no_canary, cli_command, cli_env
from tests.cli.terminal import run_in_pty
from tests.conftest import PASSWORD, SESSION_ID

WRITES = ("create", "update", "delete")


def cli(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*cli_command(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=90, check=False
    )
    assert_no_canary(result.stdout, result.stderr)
    return result


def writes(emu: ThreadedEmulator) -> dict[str, int]:
    return {route: emu.emulator.requests[route] for route in WRITES}


@pytest.fixture
def account(invoke: Invoker) -> None:
    """One connector of each type, made by hand (as in the web app): labels a file must quote."""
    made = [
        invoke("create", "--type", "investment_research", "--label", "Broker: research", "--user-id", "me@b.com",
               "--password-env", "PW", "--description", "Daily", env={"PW": PASSWORD}),
        invoke("create", "--type", "email", "--label", "yes", "--allowed-email", "a@fund.com",
               "--allowed-email", "b@fund.com", "--share"),
        invoke("create", "--type", "sharepoint", "--label", "Équipe \"SP\"", "--session-id-env", "SID",
               env={"SID": SESSION_ID}),
    ]  # fmt: skip
    assert all(r.exit_code == 0 for r in made), [r.stderr for r in made]


def test_export_plan_save_edit_refuse_replan_apply(emu: ThreadedEmulator, account: None, tmp_path: Path) -> None:
    env = cli_env(emu.base_url)
    exported = cli(env, "export", "-o", "connectors.yaml", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "Exported 3 connectors to connectors.yaml." in exported.stderr
    text = (tmp_path / "connectors.yaml").read_text()
    variables = ["BIGDATA_BROKER_RESEARCH_PASSWORD", "BIGDATA_EQUIPE_SP_SESSION_ID"]
    for variable in variables:
        assert variable in exported.stderr
        assert f"#   {variable} " in text
    assert_no_canary(text)
    secrets = {variables[0]: PASSWORD, variables[1]: SESSION_ID}
    env.update(secrets)

    # Adopted: nothing to do; the two secrets are said to be unseeable, once each, and are not changes.
    clean = cli(env, "plan", "-f", "connectors.yaml", "--detailed-exitcode", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "No changes: the account matches connectors.yaml (3 connectors)." in clean.stdout
    assert clean.stdout.count("): cannot see config.") == 2

    # Reviewed: a change, saved.
    (tmp_path / "connectors.yaml").write_text(text.replace("description: Daily", "description: Weekly"))
    saved = cli(env, "plan", "-f", "connectors.yaml", "--out", "plan.json", "--detailed-exitcode", cwd=tmp_path)
    assert saved.returncode == 2, saved.stdout + saved.stderr
    assert "~ update investment_research 'Broker: research'" in saved.stdout
    assert "bigdata-connectors apply plan.json" in saved.stderr
    plan_file = tmp_path / "plan.json"
    assert stat.S_IMODE(plan_file.stat().st_mode) == 0o600
    assert_no_canary(plan_file.read_text())

    # Someone edits the connector in the web app: the saved plan is refused, and nothing is written.
    broker = next(c for c in emu.emulator.state.connectors.values() if c.type == "investment_research")
    edited = cli(env, "update", str(broker.connector_id), "--share")
    assert edited.returncode == 0, edited.stderr
    before = writes(emu)
    stale = cli(env, "apply", "plan.json", cwd=tmp_path)
    assert stale.returncode == ExitCode.CONFLICT, stale.stdout + stale.stderr
    assert "the saved plan plan.json is stale" in stale.stderr
    assert f"'Broker: research' ({broker.connector_id}) changed: share_with_org" in stale.stderr
    assert writes(emu) == before

    # Planned again and applied: exactly the planned action, then nothing left to do.
    replanned = cli(env, "plan", "-f", "connectors.yaml", "--out", "plan.json", cwd=tmp_path)
    assert replanned.returncode == 0
    applied = cli(env, "apply", "plan.json", "--json", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    report = json.loads(applied.stdout)["report"]
    assert [(o["action"], o["status"]) for o in report["outcomes"] if o["status"] != "unchanged"] == [
        ("update", "done")
    ]
    assert writes(emu) == {**before, "update": before["update"] + 1}
    assert (broker.description, broker.share_with_org) == ("Weekly", False)
    again = cli(env, "plan", "-f", "connectors.yaml", "--detailed-exitcode", cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    twice = cli(env, "apply", "plan.json", cwd=tmp_path)  # a saved plan is applied once
    assert twice.returncode == ExitCode.CONFLICT


def test_detailed_exitcode_is_1_for_every_error(emu: ThreadedEmulator, account: None, tmp_path: Path) -> None:
    env = cli_env(emu.base_url)
    assert cli(env, "export", "-o", "c.yaml", cwd=tmp_path).returncode == 0
    cases = [
        (["plan", "-f", "c.yaml"], ExitCode.CONFIG),  # the variables are not set
        (["plan", "-f", "missing.yaml"], ExitCode.USAGE),  # click refuses it while parsing
        (["plan", "-f", "c.yaml", "--no-such-flag"], ExitCode.USAGE),
    ]
    for args, usual in cases:
        plain = cli(env, *args, cwd=tmp_path)
        assert plain.returncode == usual, (args, plain.stderr)
        detailed = cli(env, *args, "--detailed-exitcode", cwd=tmp_path)
        assert detailed.returncode == 1, (args, detailed.stderr)
        assert detailed.stderr.startswith("bigdata-connectors: error: "), detailed.stderr
    down = {**env, "BIGDATA_BROKER_RESEARCH_PASSWORD": "x", "BIGDATA_EQUIPE_SP_SESSION_ID": "y"}
    nowhere = ["--base-url", "http://127.0.0.1:9"]
    unreachable = cli(down, "plan", "-f", "c.yaml", *nowhere, "--detailed-exitcode", cwd=tmp_path)
    assert unreachable.returncode == 1, unreachable.stderr
    # Elsewhere the flag does not exist, and the usual codes hold.
    assert cli(env, "list", "--json").returncode == 0


def test_apply_planfile_on_a_terminal_asks_nothing(emu: ThreadedEmulator, tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("connectors:\n  - {label: Inbox, type: email}\n")
    env = cli_env(emu.base_url)
    assert cli(env, "plan", "-f", "c.yaml", "--out", "plan.json", cwd=tmp_path).returncode == 0
    code, shown = run_in_pty(["apply", str(tmp_path / "plan.json")], env)
    assert code == 0, shown
    assert "[y/N]" not in shown
    assert "created email 'Inbox'" in shown
    assert emu.emulator.created == 1


def test_the_plan_file_holds_no_secret_canary(emu: ThreadedEmulator, tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        "connectors:\n"
        "  - {label: Broker, type: investment_research, config: {user_id: u@b.com, password_env: PW}}\n"
        "  - {label: Team, type: sharepoint, config: {session_id_env: SID}}\n"
    )
    env = {**cli_env(emu.base_url), "PW": PASSWORD, "SID": SESSION_ID}
    made = cli(env, "plan", "-f", "c.yaml", "--out", "plan.json", "--json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    document = (tmp_path / "plan.json").read_text()
    assert_no_canary(document)
    assert json.loads(document)["variables"] == ["PW", "SID"]
    missing = cli(cli_env(emu.base_url), "apply", "plan.json", cwd=tmp_path)
    assert missing.returncode == ExitCode.CONFIG, missing.stderr
    assert "PW is not set" in missing.stderr
    applied = cli(env, "apply", "plan.json", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    broker = next(c for c in emu.emulator.state.connectors.values() if c.type == "investment_research")
    assert broker.secret == PASSWORD  # read from the environment when applied
    assert sorted(os.listdir(tmp_path)) == ["c.yaml", "plan.json"]


def test_export_filters_notes_and_stdout(invoke: Invoker, emu: ThreadedEmulator, tmp_path: Path) -> None:
    for label in ("Broker one", "Broker two", "Inbox", "Inbox"):
        assert invoke("create", "--type", "email", "--label", label).exit_code == 0
    result = invoke("export")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# A connectors file")
    assert "version: 1\nconnectors:\n" in result.stdout
    assert result.stderr.count("not exported: email 'Inbox'") == 2
    only = invoke("export", "--label", "Broker *", "--label", "nothing*", "--type", "email")
    assert only.stdout.count("  - label: ") == 2
    assert invoke("export", "--type", "sharepoint").stdout.endswith("connectors: []\n")
    assert invoke("export", "--type", "fax").exit_code == ExitCode.USAGE
    blocked = invoke("export", "-o", str(tmp_path / "missing" / "c.yaml"))
    assert blocked.exit_code == 1
    assert "cannot write" in blocked.stderr


def test_apply_takes_a_file_or_a_plan(invoke: Invoker, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("connectors: []\n")
    assert invoke("plan", "-f", str(path), "--out", str(tmp_path / "p.json")).exit_code == 0
    neither = invoke("apply", "--yes")
    assert neither.exit_code == ExitCode.USAGE
    assert "-f FILE" in neither.stderr
    both = invoke("apply", str(tmp_path / "p.json"), "-f", str(path))
    assert both.exit_code == ExitCode.USAGE
    pruned = invoke("apply", str(tmp_path / "p.json"), "--prune")
    assert pruned.exit_code == ExitCode.USAGE
    assert "keeps the --prune and --replace" in pruned.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    damaged = invoke("apply", str(broken))
    assert damaged.exit_code == ExitCode.USAGE
    assert "not a saved plan" in damaged.stderr
    assert invoke("apply", str(tmp_path / "p.json"), "--yes").exit_code == 0  # --yes is harmless
