"""Output that fits the terminal, on a real pseudo-terminal 60 and 160 columns wide: ids and dates never wrap,
less important columns give way (or each row becomes a block), the command to resume a sync is one line of its
own, every command shows values the same way, and --json does not depend on the width."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from bigdata_connectors.cli._table import Cell, Column, Table
from bigdata_connectors.cli._text import cell_len
from tests.cli.conftest import ThreadedEmulator, cli_command, cli_env
from tests.cli.terminal import plain, run_in_pty

LONG = "Broker research, daily notes from the equity desk in London and Hong Kong"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z")


def lines(out: str) -> list[str]:
    return plain(out).splitlines()


def cli(emu: ThreadedEmulator, *args: str) -> str:
    result = subprocess.run([*cli_command(), *args], env=cli_env(emu.base_url), capture_output=True, text=True,
                            timeout=60, check=True)  # fmt: skip
    return result.stdout


@pytest.fixture
def account(emu: ThreadedEmulator) -> list[str]:
    """Three connectors, long labels, one synced (with documents), one archived."""
    ids = [str(i) for i in emu.call(emu.emulator.preload, 3)]
    emu.emulator.sync_items = 3
    emu.emulator.document_processing = 0.0

    def arrange() -> None:
        for connector in emu.emulator.state.connectors.values():
            connector.label = f"{LONG} ({str(connector.connector_id)[-4:]})"
            connector.archived = str(connector.connector_id) == ids[2]

    emu.call(arrange)
    cli(emu, "sync", ids[0], "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.05")
    return ids


def assert_fits(out: str, columns: int, *, ids: list[str]) -> None:
    """Every id and date whole on one line, and no line wider than the terminal."""
    text = plain(out)
    for cid in ids:
        assert cid in text, (cid, text)
    for line in text.splitlines():
        assert cell_len(line) <= columns, (columns, line)
    assert DATE.search(text)


@pytest.mark.parametrize("columns", [60, 160])
def test_list_fits(emu: ThreadedEmulator, account: list[str], columns: int) -> None:
    env = cli_env(emu.base_url, TERM="xterm")
    code, out = run_in_pty(["list", "--all"], env, columns=columns)
    assert code == 0, out
    assert_fits(out, columns, ids=account)
    shown = lines(out)
    if columns == 60:  # one block per connector, every field kept
        assert shown[0] == account[0]
        assert {"  Label", "  Type", "  Archived", "  Last sync", "  Synced at", "  Items", "  Files"} <= {
            line[:11].rstrip() for line in shown if line.startswith("  ")
        }
    else:
        assert shown[0].split() == ["ID", "LABEL", "TYPE", "ARCHIVED", "LAST", "SYNC", "SYNCED", "AT", "ITEMS", "FILES"]
        assert sum(1 for line in shown if UUID.match(line)) == 3  # one row each (labels fold below their row)


def test_list_at_100_columns_drops_the_least_needed_columns(emu: ThreadedEmulator, account: list[str]) -> None:
    code, out = run_in_pty(["list", "--all"], cli_env(emu.base_url, TERM="xterm"), columns=100)
    assert code == 0, out
    assert_fits(out, 100, ids=account)
    header = lines(out)[0].split()
    assert header[:2] == ["ID", "LABEL"]
    assert {"LAST", "SYNC", "SYNCED", "AT"} <= set(header)
    assert "ARCHIVED" not in header  # the first to give way


@pytest.mark.parametrize("columns", [60, 160])
def test_get_and_create_read_like_list(emu: ThreadedEmulator, account: list[str], columns: int) -> None:
    """The same words for the same values in every command: yes/no, UTC dates, no raw field names."""
    env = cli_env(emu.base_url, TERM="xterm")
    for args in (["get", account[0]], ["create", "--type", "email", "--label", LONG, "--share",
                                       "--allowed-email", "desk@fund.com"]):  # fmt: skip
        code, out = run_in_pty(args, env, columns=columns)
        assert code == 0, out
        text = plain(out)
        assert_fits(out, columns, ids=[])
        for raw in ("True", "False", "None", "share_with_org", "connector_id", "last_sync", "config."):
            assert raw not in text, raw
        keys = {line.split("  ")[0] for line in text.splitlines() if line and not line.startswith(" ")}
        assert {"ID", "Label", "Type", "Shared with org", "Archived", "Created"} <= keys
    code, out = run_in_pty(["get", account[2]], env, columns=columns)
    assert re.search(r"^Archived +yes$", plain(out), re.M)
    assert re.search(r"^Shared with org +no$", plain(out), re.M)


@pytest.mark.parametrize("columns", [60, 160])
def test_sync_summary_fits(emu: ThreadedEmulator, account: list[str], columns: int) -> None:
    env = cli_env(emu.base_url, TERM="xterm")
    args = ["sync", account[0], account[1], "--date-limit", "2026-01-01", "--wait", "--poll-interval", "0.05"]
    code, out = run_in_pty(args, env, columns=columns)
    assert code == 0, out
    summary = out[out.rindex("\x1b[?25h") :]  # after the live display
    text = plain(summary)
    for cid in account[:2]:
        assert cid in text
    assert all(cell_len(line) <= columns for line in text.splitlines())
    assert "S\nU\nC" not in text
    if columns == 60:
        assert re.search(r"^  Result +SUCCESS$", text, re.M)
        assert re.search(r"^  Items +\d+$", text, re.M)
    else:
        header = next(line for line in text.splitlines() if line.startswith("CONNECTOR"))
        assert header.split() == ["CONNECTOR", "ID", "RESULT", "ITEMS", "FILES", "TIME", "POLLS"]


@pytest.mark.parametrize("columns", [60, 160])
def test_the_resume_command_is_one_line_of_its_own(emu: ThreadedEmulator, account: list[str], columns: int) -> None:
    env = cli_env(emu.base_url, TERM="xterm")
    code, out = run_in_pty(["sync", account[0], account[1], "--date-limit", "2026-01-01"], env, columns=columns)
    assert code == 0, out
    (command,) = [line for line in lines(out) if line.startswith("bigdata-connectors sync")]
    assert re.fullmatch(r"bigdata-connectors sync --resume bdsync2(?:\.[0-9a-f-]+)+ --resume bdsync2(?:\.[0-9a-f-]+)+",
                        command)  # fmt: skip
    resumed = subprocess.run([*cli_command(), *command.split()[1:], "--poll-interval", "0.05", "--json"], env=env,
                             capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr  # the line, copied as it is, works
    assert [json.loads(line)["connector_id"] for line in resumed.stdout.splitlines()] == account[:2]


@pytest.mark.parametrize("columns", [60, 160])
def test_documents_fit(emu: ThreadedEmulator, account: list[str], columns: int) -> None:
    code, out = run_in_pty(["documents", account[0]], cli_env(emu.base_url, TERM="xterm"), columns=columns)
    assert code == 0, out
    ids = re.findall(r"\b[0-9A-F]{32}\b", plain(out))
    assert len(ids) == 3
    assert all(cell_len(line) <= columns for line in lines(out))
    assert len(DATE.findall(plain(out))) == 3


def test_json_does_not_depend_on_the_width(emu: ThreadedEmulator, account: list[str]) -> None:
    env = cli_env(emu.base_url, TERM="xterm")
    for args in (["list", "--all", "--json"], ["get", account[0], "--json"], ["documents", account[0], "--json"]):
        narrow = [json.loads(line) for line in plain(run_in_pty(args, env, columns=60)[1]).splitlines()]
        wide = [json.loads(line) for line in plain(run_in_pty(args, env, columns=160)[1]).splitlines()]
        for row in narrow + wide:
            row.pop("updated_at", None)  # the emulator dates a document's last change when it is read
        assert narrow == wide
        assert narrow


# ---------------------------------------------------------------- the layout rules, without a terminal


def _table() -> Table:
    table = Table([Column("ID", 100), Column("NAME", 100, flexible=True), Column("KIND", 40, abbreviate=lambda v: v[:3]),
                   Column("NOTE", 20), Column("COUNT", 30, right=True)])  # fmt: skip
    table.add("a" * 20, "a long name that folds", "investment", "a note", Cell("1,234", "green"))
    return table


def test_layout_gives_way_in_priority_order() -> None:
    full = _table().render(None)
    assert full[0].split() == ["ID", "NAME", "KIND", "NOTE", "COUNT"]
    assert len(full) == 3  # header, rule, one row: off a terminal the table is whole
    narrower = _table().render(60)
    assert narrower[0].split() == ["ID", "NAME", "KIND", "COUNT"]  # NOTE went first
    assert "inv" in narrower[2]  # KIND abbreviated
    assert "investment" not in narrower[2]
    assert all(len(line) <= 60 for line in narrower)
    blocks = _table().render(30)
    assert blocks[0] == "a" * 20
    assert blocks[1].split() == ["Name", "a", "long", "name", "that"]  # folded under itself
    assert all(len(line) <= 30 for line in blocks)


def test_wide_characters_count_twice() -> None:
    table = Table([Column("ID", 100), Column("NAME", 100, flexible=True)])
    table.add("x", "東京 desk")
    header, _rule, row = table.render(None)
    assert header.index("NAME") == cell_len(row[: row.index("東京")])  # aligned by columns, not characters
    assert cell_len("東京") == 4
    assert Table([Column("NAME", 100, flexible=True, min_width=4)], [[Cell("東京東京東京")]]).render(4)[2:] == [
        "東京",
        "東京",
        "東京",
    ]
