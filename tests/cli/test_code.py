"""``plan`` and ``apply`` through CliRunner against the emulator: the diff, --json, confirmation, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bigdata_connectors.cli import _runtime
from bigdata_connectors.cli._exit import ExitCode
from tests.cli.conftest import Invoker, ThreadedEmulator
from tests.conftest import PASSWORD

FILE = """\
connectors:
  - label: Broker research
    type: investment_research
    description: Daily broker reports
    config: {user_id: me@broker.com, password_env: BROKER_PASSWORD}
  - label: Research inbox
    type: email
    share_with_org: true
    config:
      allowed_emails: [a@fund.com]
"""
ENV: dict[str, str | None] = {"BROKER_PASSWORD": PASSWORD}


@pytest.fixture
def connectors_file(tmp_path: Path) -> Path:
    path = tmp_path / "connectors.yaml"
    path.write_text(FILE)
    return path


def live_labels(emu: ThreadedEmulator) -> dict[str, bool]:
    return {c.label: c.archived for c in emu.emulator.state.connectors.values()}


def test_plan_shows_the_diff_and_changes_nothing(invoke: Invoker, emu: ThreadedEmulator, connectors_file: Path) -> None:
    result = invoke("plan", "-f", str(connectors_file), env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "+ create investment_research 'Broker research'" in result.stdout
    assert "config.user_password  (secret from $BROKER_PASSWORD)" in result.stdout
    assert "Plan: 2 to create" in result.stdout
    assert "\x1b[" not in result.stdout
    data = json.loads(invoke("plan", "-f", str(connectors_file), "--json", env=ENV).stdout)
    assert data["summary"]["create"] == 2
    assert [a["action"] for a in data["actions"]] == ["create", "create"]
    assert emu.emulator.created == 0


def test_apply_then_apply_again_does_nothing(invoke: Invoker, emu: ThreadedEmulator, connectors_file: Path) -> None:
    result = invoke("apply", "-f", str(connectors_file), "--yes", env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "created investment_research 'Broker research'" in result.stdout
    assert "Apply: 2 done, 0 unchanged, 0 failed, 0 skipped." in result.stdout
    assert live_labels(emu) == {"Broker research": False, "Research inbox": False}
    (broker,) = [c for c in emu.emulator.state.connectors.values() if c.type == "investment_research"]
    assert broker.secret == PASSWORD
    again = invoke("apply", "-f", str(connectors_file), "--json", env=ENV)  # no --yes needed: nothing to do
    assert again.exit_code == 0, again.stderr
    data = json.loads(again.stdout)
    assert data["report"] is None
    assert data["plan"]["summary"]["nothing"] == 2
    assert emu.emulator.created == 2


def test_apply_prune_json(invoke: Invoker, emu: ThreadedEmulator, connectors_file: Path) -> None:
    emu.call(emu.emulator.preload, 1)
    result = invoke("apply", "-f", str(connectors_file), "--prune", "--yes", "--json", env=ENV)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)  # one document, nothing else on stdout
    assert data["report"]["ok"] is True
    assert sorted(o["action"] for o in data["report"]["outcomes"]) == ["archive", "create", "create"]
    assert live_labels(emu)["preloaded 0"] is True


def test_apply_asks_on_a_terminal_and_needs_yes_in_scripts(
    invoke: Invoker, emu: ThreadedEmulator, connectors_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = invoke("apply", "-f", str(connectors_file), env=ENV)
    assert script.exit_code == ExitCode.USAGE
    assert "--yes" in script.stderr
    monkeypatch.setattr(_runtime, "interactive", lambda: True)
    declined = invoke("apply", "-f", str(connectors_file), env=ENV, input="n\n")
    assert declined.exit_code == ExitCode.USAGE
    assert "Apply these 2 changes?" in declined.stderr
    assert emu.emulator.created == 0
    accepted = invoke("apply", "-f", str(connectors_file), env=ENV, input="y\n")
    assert accepted.exit_code == 0
    assert emu.emulator.created == 2


def test_an_invalid_file_is_one_line_and_sends_nothing(invoke: Invoker, emu: ThreadedEmulator, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("connectors:\n  - label: x\n    type: fax\n  - label: y\n    type: email\n    colour: red\n")
    result = invoke("plan", "-f", str(bad))
    assert result.exit_code == ExitCode.USAGE
    (line,) = result.stderr.splitlines()
    assert "line 3: connectors[0].type: must be one of" in line
    assert "line 6: connectors[1].colour: unknown key" in line
    assert sum(emu.emulator.requests.values()) == 0
    unset = invoke("apply", "-f", str(tmp_path / "missing.yaml"), "--yes")
    assert unset.exit_code == ExitCode.USAGE  # click: the file does not exist


def test_an_unset_secret_variable_is_named_not_shown(invoke: Invoker, connectors_file: Path) -> None:
    """Exit 3, as for `create --password-env` (tests/cli/test_errors.py checks all three through pipes)."""
    for args in (["plan"], ["apply", "--yes"]):
        result = invoke(*args, "-f", str(connectors_file), env={"BROKER_PASSWORD": None})
        assert result.exit_code == ExitCode.CONFIG, result.stderr
        assert "BROKER_PASSWORD is not set" in result.stderr


def test_a_credential_change_needs_a_replacement(invoke: Invoker, emu: ThreadedEmulator, connectors_file: Path) -> None:
    assert invoke("apply", "-f", str(connectors_file), "--yes", env=ENV).exit_code == 0
    connectors_file.write_text(FILE.replace("me@broker.com", "other@broker.com"))
    plan = invoke("plan", "-f", str(connectors_file), env=ENV)
    assert "-/+ replace investment_research 'Broker research'" in plan.stdout
    rotated = invoke("plan", "-f", str(connectors_file), "--replace", "Research inbox", "--json", env=ENV)
    assert json.loads(rotated.stdout)["summary"]["replace"] == 2


def test_an_ambiguous_label_is_exit_9(invoke: Invoker, emu: ThreadedEmulator, connectors_file: Path) -> None:
    for _ in range(2):
        assert invoke("create", "--type", "email", "--label", "Research inbox").exit_code == 0
    result = invoke("plan", "-f", str(connectors_file), env=ENV)
    assert result.exit_code == ExitCode.CONFLICT
    assert "the label must name one" in result.stderr
