"""Every connector command against the emulator through click's CliRunner: output, --json, exit codes."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bigdata_connectors import __version__
from bigdata_connectors.cli import _runtime, cli
from bigdata_connectors.cli._exit import ExitCode
from bigdata_connectors.testing import Fault
from tests.cli.conftest import Invoker, ThreadedEmulator
from tests.conftest import PASSWORD

COMMANDS = sorted(cli.commands)


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def preload(emu: ThreadedEmulator, count: int = 1, type: str = "investment_research") -> list[str]:
    return [str(i) for i in emu.call(emu.emulator.preload, count, type=type)]


def create_email(invoke: Invoker, label: str = "Inbox") -> dict[str, Any]:
    result = invoke("create", "--type", "email", "--label", label, "--json")
    assert result.exit_code == 0, result.stderr
    created: dict[str, Any] = json.loads(result.stdout)
    return created


# ---------------------------------------------------------------- help, version, usage


def test_every_command_has_help_with_an_example(invoke: Invoker) -> None:
    assert {"list", "get", "create", "update", "archive", "delete", "sync", "emulator"} <= set(COMMANDS)
    for name in COMMANDS:
        result = invoke(name, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout, name
        assert "bigdata-connectors " + name in result.stdout, name
    top = invoke("--help")
    assert "Exit codes (the same in every command):" in top.stdout
    assert "BIGDATA_API_KEY" in top.stdout


def test_version(invoke: Invoker) -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"bigdata-connectors {__version__}"


def test_usage_errors_are_one_line_with_exit_code_2(invoke: Invoker) -> None:
    for args in (["frob"], ["list", "--frob"], ["get"], ["create", "--type", "fax", "--label", "x"]):
        result = invoke(*args)
        assert result.exit_code == ExitCode.USAGE, args
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("bigdata-connectors: error: ")
        assert "--help" in result.stderr
    assert invoke("list", "--frob").stderr == (
        "bigdata-connectors: error: No such option '--frob'. (see 'bigdata-connectors list --help')\n"
    )


def test_no_option_takes_a_secret_as_its_value(invoke: Invoker) -> None:
    for option in ("--password", "--user-password", "--session-id", "--api-key"):
        result = invoke("create", "--type", "investment_research", "--label", "x", option, PASSWORD)
        assert result.exit_code == ExitCode.USAGE
        assert "No such option" in result.stderr


# ---------------------------------------------------------------- list / get


def test_list_table_and_json(invoke: Invoker, emu: ThreadedEmulator) -> None:
    assert invoke("list").stdout.startswith("No connectors")
    assert invoke("list", "--json").stdout == ""
    ids = preload(emu, 2)
    result = invoke("list")
    assert result.exit_code == 0
    header, _rule, *rows = result.stdout.splitlines()
    assert header.split() == ["ID", "LABEL", "TYPE", "ARCHIVED", "LAST", "SYNC", "SYNCED", "AT", "ITEMS", "FILES"]
    assert [r.split()[0] for r in rows] == ids  # ids whole in a pipe, however wide
    assert all(line == line.rstrip() for line in result.stdout.splitlines())
    assert "\x1b[" not in result.stdout  # no colour when not a terminal
    parsed = lines(invoke("list", "--json").stdout)
    assert [c["connector_id"] for c in parsed] == ids
    assert parsed[1]["files_count"] == 1
    assert parsed[0]["type"] == "investment_research"


def test_list_hides_archived_unless_all(invoke: Invoker, emu: ThreadedEmulator) -> None:
    keep, gone = preload(emu, 2)
    assert invoke("archive", gone).exit_code == 0
    assert [c["connector_id"] for c in lines(invoke("list", "--json").stdout)] == [keep]
    every = lines(invoke("list", "--all", "--json").stdout)
    assert {c["connector_id"]: c["archived"] for c in every} == {keep: False, gone: True}
    assert "yes" in invoke("list", "--all").stdout


def test_label_is_text_not_markup(invoke: Invoker) -> None:
    create_email(invoke, "[bold red]Desk[/] research")
    assert "[bold red]Desk[/] research" in invoke("list").stdout


def test_get(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    result = invoke("get", cid)
    assert result.exit_code == 0
    fields = dict(line.split("  ", 1) for line in result.stdout.splitlines())
    assert fields["Portal user"].strip() == "user0@broker.example"
    assert fields["Shared with org"].strip() == "no"  # as list says it, never Python's False
    assert fields["ID"].strip() == cid
    assert "config." not in result.stdout  # no raw field names
    assert "_" not in "".join(fields)
    data = json.loads(invoke("get", cid, "--json").stdout)
    assert data["connector_id"] == cid
    assert data["label"] == "preloaded 0"


def test_not_found_is_exit_5_with_the_request_id(invoke: Invoker) -> None:
    result = invoke("get", "019a9612-bfad-758c-884e-37dd8c6ad2cb")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "404 Connector not found [CONNECTOR_NOT_FOUND]" in line
    assert "request_id=emu-" in line
    assert "Traceback" not in result.stderr


def test_a_bad_id_is_refused_before_sending(invoke: Invoker, emu: ThreadedEmulator) -> None:
    result = invoke("get", "not-a-uuid")
    assert result.exit_code == ExitCode.USAGE
    assert "must be a UUID" in result.stderr
    assert emu.emulator.requests["get"] == 0


# ---------------------------------------------------------------- create


def test_create_email_shows_the_inbox(invoke: Invoker) -> None:
    result = invoke("create", "--type", "email", "--label", "Mail", "--allowed-email", "a@fund.com",
                    "--allowed-email", "b@fund.com", "--description", "desk", "--share")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Forward research mail to " in result.stdout
    assert "@bigdata.com" in result.stdout
    data = lines(invoke("list", "--json").stdout)[0]
    assert data["config"]["allowed_emails"] == ["a@fund.com", "b@fund.com"]
    assert data["share_with_org"] is True
    assert data["description"] == "desk"


def test_create_broker_with_password_from_env(invoke: Invoker, emu: ThreadedEmulator) -> None:
    result = invoke("create", "--type", "investment_research", "--label", "Broker", "--user-id", "me@broker.com",
                    "--password-env", "BROKER_PW", "--json", env={"BROKER_PW": PASSWORD})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["config"] == {"user_id": "me@broker.com"}
    (stored,) = emu.emulator.state.connectors.values()
    assert stored.secret == PASSWORD  # it reached the API, and nothing printed it (invoke checks)


def test_create_secret_errors(invoke: Invoker, emu: ThreadedEmulator) -> None:
    base = ["create", "--type", "investment_research", "--label", "Broker", "--user-id", "me@broker.com"]
    unset = invoke(*base, "--password-env", "NOT_SET_ANYWHERE", env={"NOT_SET_ANYWHERE": None})
    assert unset.exit_code == ExitCode.CONFIG
    assert "NOT_SET_ANYWHERE is not set" in unset.stderr
    no_terminal = invoke(*base)
    assert no_terminal.exit_code == ExitCode.USAGE
    assert "--password-env VAR is required" in no_terminal.stderr
    no_user = invoke("create", "--type", "investment_research", "--label", "B", "--password-env", "X")
    assert no_user.exit_code == ExitCode.USAGE
    wrong_type = invoke("create", "--type", "email", "--label", "x", "--user-id", "me")
    assert wrong_type.exit_code == ExitCode.USAGE
    assert "--user-id only apply to --type investment_research" in wrong_type.stderr
    assert emu.emulator.created == 0


def test_create_prompts_for_secrets_on_a_terminal(
    invoke: Invoker, emu: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_runtime, "interactive", lambda: True)
    result = invoke("create", "--type", "investment_research", "--label", "B", "--user-id", "me", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.stderr
    assert "Portal password" in result.stderr
    result = invoke("create", "--type", "sharepoint", "--label", "Site", input="sess-1\n")
    assert result.exit_code == 0, result.stderr
    secrets = sorted(str(c.secret) for c in emu.emulator.state.connectors.values())
    assert PASSWORD in secrets


def test_create_sharepoint_from_env(invoke: Invoker) -> None:
    result = invoke("create", "--type", "sharepoint", "--label", "Site", "--session-id-env", "SP", "--json",
                    env={"SP": "session-xyz"})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["type"] == "sharepoint"
    assert "session-xyz" not in result.stdout


def test_create_rejected_by_the_api_is_exit_7(invoke: Invoker) -> None:
    result = invoke("create", "--type", "email", "--label", "x", "--allowed-email", "not-an-address")
    assert result.exit_code == ExitCode.REJECTED
    assert "400" in result.stderr
    assert "request_id=emu-" in result.stderr


# ---------------------------------------------------------------- update / archive / delete


def test_update_changes_only_what_is_passed(invoke: Invoker) -> None:
    cid = create_email(invoke, "Old")["connector_id"]
    assert invoke("update", cid, "--share", "--description", "d").exit_code == 0
    data = json.loads(invoke("update", cid, "--label", "New", "--json").stdout)
    assert (data["label"], data["share_with_org"], data["description"]) == ("New", True, "d")
    data = json.loads(invoke("update", cid, "--no-share", "--allowed-email", "x@fund.com", "--json").stdout)
    assert data["share_with_org"] is False
    assert data["label"] == "New"
    assert data["config"]["allowed_emails"] == ["x@fund.com"]
    nothing = invoke("update", cid)
    assert nothing.exit_code == ExitCode.USAGE
    assert "nothing to change" in nothing.stderr


def test_update_refuses_config_on_a_broker_connector(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    result = invoke("update", cid, "--allowed-email", "x@fund.com")
    assert result.exit_code == ExitCode.USAGE
    assert "only be updated on email connectors" in result.stderr
    assert emu.emulator.requests["update"] == 0


def test_archive(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    result = invoke("archive", cid)
    assert result.exit_code == 0
    assert "Archived 'preloaded 0'" in result.stdout
    assert json.loads(invoke("archive", cid, "--json").stdout)["archived"] is True  # idempotent


def test_delete_needs_force_and_confirmation(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    no_force = invoke("delete", cid)
    assert no_force.exit_code == ExitCode.USAGE
    assert "--force" in no_force.stderr
    no_yes = invoke("delete", cid, "--force")
    assert no_yes.exit_code == ExitCode.USAGE
    assert "--yes" in no_yes.stderr
    assert emu.emulator.requests["delete"] == 0
    result = invoke("delete", cid, "--force", "--yes", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"connector_id": cid, "label": "preloaded 0", "status": "accepted"}
    time.sleep(0.1)  # the emulator completes a force delete after 0.05 s
    assert invoke("get", cid).exit_code == ExitCode.NOT_FOUND


def test_delete_asks_on_a_terminal(invoke: Invoker, emu: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_runtime, "interactive", lambda: True)
    (cid,) = preload(emu)
    declined = invoke("delete", cid, "--force", input="n\n")
    assert declined.exit_code == ExitCode.USAGE
    assert "Delete connector 'preloaded 0'" in declined.stderr
    assert "not deleted" in declined.stderr
    assert emu.emulator.requests["delete"] == 0
    accepted = invoke("delete", cid, "--force", input="y\n")
    assert accepted.exit_code == 0
    assert "accepted" in accepted.stdout
    assert emu.emulator.requests["delete"] == 1


# ---------------------------------------------------------------- errors and exit codes


def test_auth_error_is_exit_4(invoke: Invoker) -> None:
    result = invoke("list", env={"BIGDATA_API_KEY": "wrong-key"})
    assert result.exit_code == ExitCode.AUTH
    assert "401" in result.stderr
    assert "request_id=emu-" in result.stderr


def test_configuration_errors_are_exit_3(invoke: Invoker) -> None:
    no_key = invoke("list", env={"BIGDATA_API_KEY": None})
    assert no_key.exit_code == ExitCode.CONFIG
    assert "set BIGDATA_API_KEY" in no_key.stderr
    plain_http = invoke("--base-url", "http://api.example.com", "list")
    assert plain_http.exit_code == ExitCode.CONFIG
    assert "refusing plain http://" in plain_http.stderr


def test_rate_limited_is_exit_6(invoke: Invoker, emu: ThreadedEmulator) -> None:
    emu.call(emu.emulator.script, "list", [Fault("429", retry_after=0.01)] * 4)  # the first try and 3 retries
    result = invoke("list")
    assert result.exit_code == ExitCode.RATE_LIMITED
    assert "429" in result.stderr
    assert "retry_after=0.01s" in result.stderr


def test_server_error_is_exit_8(invoke: Invoker, emu: ThreadedEmulator) -> None:
    emu.call(emu.emulator.script, "list", [Fault("503", retry_after=0.01)] * 4)
    result = invoke("list")
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert "503" in result.stderr


def test_traceback_only_with_debug(invoke: Invoker) -> None:
    missing = "019a9612-bfad-758c-884e-37dd8c6ad2cb"
    assert "Traceback" not in invoke("get", missing).stderr
    debug = invoke("--debug", "get", missing)
    assert debug.exit_code == ExitCode.NOT_FOUND
    assert "Traceback" in debug.stderr
    assert "NotFoundError" in debug.stderr
    assert "GET http" in debug.stderr or "bigdata_connectors" in debug.stderr  # the SDK's debug log


def test_base_url_option_beats_the_environment(invoke: Invoker, emu: ThreadedEmulator) -> None:
    result = invoke("--base-url", emu.base_url, "list", env={"BIGDATA_BASE_URL": "http://127.0.0.1:9"})
    assert result.exit_code == 0
