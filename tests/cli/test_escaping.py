"""Text from the server is data: control characters in labels, descriptions, file names, statuses and error
messages are shown escaped, never sent to the terminal, on a real terminal and through a pipe; --json keeps the
values (escaped as JSON)."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest

from bigdata_connectors import APIStatusError
from bigdata_connectors.cli._exit import describe
from bigdata_connectors.cli._text import safe, safe_json
from tests.cli.conftest import ThreadedEmulator, assert_no_canary, cli_command, cli_env
from tests.cli.terminal import plain, run_in_pty

# Clear the screen; OSC 52 (write the clipboard); a newline that would forge a table row; a carriage return;
# CSI as one C1 byte; a right-to-left override; DEL.
EVIL = "Desk \x1b[2J\x1b]52;c;ZXZpbA==\x07 one\nforged row\rback \x9b31m \u202eRTL\x7f end"
SHOWN = "Desk \\x1b[2J\\x1b]52;c;ZXZpbA==\\x07 one\\nforged row\\rback \\x9b31m \\u202eRTL\\x7f end"
HARMFUL = ("\x1b", "\x07", "\x9b", "\u202e", "\x7f", "\u2028")


def assert_harmless(text: str, *, terminal: bool) -> None:
    """Nothing from EVIL reached the output raw (on a terminal, after our own colours and redraws)."""
    seen = plain(text) if terminal else text
    for char in HARMFUL:
        assert char not in seen, (char, seen[-2000:])
    if not terminal:
        assert "\r" not in seen
    assert not any(line.startswith("forged row") for line in seen.splitlines())


def cli(emu: ThreadedEmulator, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*cli_command(), *args], env=cli_env(emu.base_url), capture_output=True, text=True,
                            timeout=60, check=False)  # fmt: skip
    assert_no_canary(result.stdout, result.stderr)
    return result


@pytest.fixture
def evil(emu: ThreadedEmulator) -> dict[str, str]:
    """A broker connector whose label and description are EVIL, synced once (its documents' names, type and
    status made EVIL too), and an email connector labelled EVIL."""
    (broker,) = (str(i) for i in emu.call(emu.emulator.preload, 1))
    (mail,) = (str(i) for i in emu.call(emu.emulator.preload, 1, type="email"))
    emu.emulator.sync_items = 2
    emu.emulator.document_processing = 0.0
    assert cli(emu, "update", broker, "--label", EVIL, "--description", EVIL).returncode == 0  # through the API
    assert cli(emu, "sync", broker, "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.05").returncode == 0

    def poison() -> None:
        for document in emu.emulator.state.documents.values():
            document.file_name = EVIL + ".pdf"
            document.content_type = "application/\x1b[5m"
        for connector in emu.emulator.state.connectors.values():
            if connector.type == "email":
                connector.label = EVIL
            else:
                connector.last_sync_status = "SUCCESS\x1b[8m"

    emu.call(poison)
    return {"broker": broker, "mail": mail}


COMMANDS = [
    ["list"],
    ["list", "--all"],
    ["get", "{broker}"],
    ["get", "{mail}"],
    ["documents", "{broker}"],
    ["update", "{mail}", "--description", "x"],
    ["sync", "{broker}", "--date-limit", "2026-01-01"],
    ["archive", "{mail}"],
]


def _args(template: list[str], ids: dict[str, str]) -> list[str]:
    return [part.format(**ids) for part in template]


@pytest.mark.parametrize("columns", [60, 160])
def test_nothing_from_the_server_reaches_a_terminal(emu: ThreadedEmulator, evil: dict[str, str], columns: int) -> None:
    env = cli_env(emu.base_url, TERM="xterm-256color")
    code, out = run_in_pty(["get", evil["broker"]], env, columns=columns)
    assert "\\x1b[2J" in out  # shown, escaped
    assert "SUCCESS\\x1b[8m" in out
    for template in COMMANDS:  # the last ones change things: a new sync, an archive
        code, out = run_in_pty(_args(template, evil), env, columns=columns)
        assert code == 0, out
        assert_harmless(out, terminal=True)
        assert_no_canary(out)


def test_nothing_from_the_server_reaches_a_pipe(emu: ThreadedEmulator, evil: dict[str, str]) -> None:
    for template in COMMANDS:
        result = cli(emu, *_args(template, evil))
        assert result.returncode == 0, result.stderr
        assert_harmless(result.stdout + result.stderr, terminal=False)
    listed = cli(emu, "list", "--all").stdout
    assert SHOWN in listed
    assert len(listed.splitlines()) == 2 + 2  # header, rule, two connectors: no forged row
    assert (EVIL + ".pdf").replace("\n", "") not in cli(emu, "documents", evil["broker"]).stdout
    assert safe(EVIL) + ".pdf" in cli(emu, "documents", evil["broker"]).stdout


def test_json_keeps_the_data_escaped_as_json(emu: ThreadedEmulator, evil: dict[str, str]) -> None:
    for args, key in ((["list", "--json"], "label"), (["get", evil["broker"], "--json"], "description"),
                      (["documents", evil["broker"], "--json"], "file_name")):  # fmt: skip
        raw = cli(emu, *args).stdout
        for char in (*HARMFUL, "\r"):
            assert char not in raw
        values = [json.loads(line)[key] for line in raw.splitlines()]
        assert all(v in (EVIL, EVIL + ".pdf") for v in values), values


def test_a_live_sync_and_its_failure_are_escaped(emu: ThreadedEmulator, evil: dict[str, str]) -> None:
    """The progress line (label, status), the summary and the error line from a failed sync's message."""
    emu.call(emu.emulator.fail_next_syncs, 1, status="FAILED\x1b[2J", message=EVIL)
    emu.emulator.sync_duration = 0.5
    env = cli_env(emu.base_url, TERM="xterm-256color")
    args = ["sync", evil["broker"], "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.1"]
    code, out = run_in_pty(args, env)
    assert code == 10, out
    assert_harmless(out, terminal=True)
    assert "polls" in out  # the live line was drawn
    assert "FAILED\\x1b[2J" in plain(out)
    assert f"the sync failed with status FAILED\\x1b[2J: {SHOWN}" in plain(out)
    emu.call(emu.emulator.fail_next_syncs, 1, status="FAILED\x1b[2J", message=EVIL)
    piped = subprocess.run([*cli_command(), *args], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert piped.returncode == 10
    assert_harmless(piped.stdout + piped.stderr, terminal=False)
    (line,) = piped.stderr.splitlines()
    assert line.endswith(SHOWN)


def test_plan_shows_server_values_escaped(emu: ThreadedEmulator, evil: dict[str, str], tmp_path: Any) -> None:
    """The plan's `before` values come from the server (the live description)."""
    path = tmp_path / "connectors.yaml"
    path.write_text("connectors:\n  - label: Inbox\n    type: email\n")
    assert cli(emu, "apply", "-f", str(path), "--yes").returncode == 0
    (inbox,) = [c for c in emu.emulator.state.connectors.values() if c.label == "Inbox"]
    emu.call(setattr, inbox, "description", EVIL)
    for terminal in (False, True):
        if terminal:
            code, out = run_in_pty(["plan", "-f", str(path)], cli_env(emu.base_url, TERM="xterm"))
        else:
            result = cli(emu, "plan", "-f", str(path))
            code, out = result.returncode, result.stdout + result.stderr
        assert code == 0, out
        assert "~ update email 'Inbox'" in plain(out)
        assert_harmless(out, terminal=terminal)


def test_error_messages_from_the_server_are_escaped() -> None:
    err = APIStatusError(EVIL, status_code=400, method="GET", path="/x", body={"hint": EVIL}, request_id="r\x1b1")
    code, message = describe(err)
    assert code == 7
    for char in (*HARMFUL, "\r", "\n"):
        assert char not in message
    assert SHOWN in message
    assert "request_id=r\\x1b1" in message


def test_safe_and_safe_json() -> None:
    assert safe("a\tb\x00c\x85d\u2066e\u061cf") == "a\\tb\\x00c\\x85d\\u2066e\\u061cf"
    assert safe("Zürich 東京 ✓") == "Zürich 東京 ✓"  # letters are not controls
    text = safe_json({"label": EVIL, "city": "Zürich"})
    assert json.loads(text) == {"label": EVIL, "city": "Zürich"}
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202e]", text)
    assert "Zürich" in text
