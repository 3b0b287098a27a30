"""Questions on a real terminal: one Ctrl-C (typed, so the terminal sends SIGINT) aborts with exit 130 and changes
nothing, even when "y" is typed right after it; the answers still work."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import ThreadedEmulator, assert_no_canary, cli_env
from tests.cli.terminal import CTRL_C, Terminal
from tests.conftest import PASSWORD


def interrupted(terminal: Terminal, prompt: bytes) -> str:
    terminal.expect(prompt)
    terminal.type(CTRL_C)
    terminal.type(b"y\r")  # too late: the first Ctrl-C has already ended it
    code, out = terminal.finish()
    assert code == 130, out
    assert "\r\nbigdata-connectors: interrupted\r\n" in out  # on a line of its own (the "y" may echo after it)
    assert "Traceback" not in out
    assert_no_canary(out)
    return out


def test_ctrl_c_at_the_delete_prompt_deletes_nothing(emu: ThreadedEmulator) -> None:
    keep, gone = (str(i) for i in emu.call(emu.emulator.preload, 2))
    env = cli_env(emu.base_url, TERM="xterm")
    interrupted(Terminal(["delete", keep, "--force"], env), b"[y/N]")
    assert emu.emulator.requests["delete"] == 0
    assert not any(c.archived for c in emu.emulator.state.connectors.values())
    assert {str(c) for c in emu.emulator.state.connectors} == {keep, gone}
    terminal = Terminal(["delete", gone, "--force"], env)  # the prompt itself still works
    terminal.expect(b"[y/N]")
    terminal.type(b"y\r")
    assert terminal.finish()[0] == 0
    assert emu.emulator.requests["delete"] == 1


def test_ctrl_c_at_the_apply_prompt_applies_nothing(emu: ThreadedEmulator, tmp_path: Path) -> None:
    path = tmp_path / "connectors.yaml"
    path.write_text("connectors:\n  - label: Inbox\n    type: email\n")
    (old,) = (str(i) for i in emu.call(emu.emulator.preload, 1))
    env = cli_env(emu.base_url, TERM="xterm")
    out = interrupted(Terminal(["apply", "-f", str(path), "--prune"], env), b"[y/N]")
    assert "Plan: 1 to create, 0 to update, 0 to replace, 1 to archive" in out
    assert emu.emulator.created == 0
    assert emu.emulator.requests["delete"] == 0
    assert not any(c.archived for c in emu.emulator.state.connectors.values())
    assert [str(c) for c in emu.emulator.state.connectors] == [old]
    terminal = Terminal(["apply", "-f", str(path), "--prune"], env)
    terminal.expect(b"[y/N]")
    terminal.type(b"y\r")
    code, out = terminal.finish()
    assert code == 0, out
    assert emu.emulator.created == 1


def test_ctrl_c_at_the_password_prompt_creates_nothing(emu: ThreadedEmulator) -> None:
    env = cli_env(emu.base_url, TERM="xterm")
    args = ["create", "--type", "investment_research", "--label", "Broker", "--user-id", "me@broker.com"]
    terminal = Terminal(args, env)
    terminal.expect(b"Portal password:")
    terminal.type(PASSWORD[:5].encode())
    terminal.type(CTRL_C)
    code, out = terminal.finish()
    assert code == 130, out
    assert PASSWORD[:5] not in out  # not echoed
    assert emu.emulator.requests["create"] == 0
