"""``sync`` against the emulator through CliRunner: trigger, wait (one id and several), summary, exit codes."""

from __future__ import annotations

import json
import time
from typing import Any

from bigdata_connectors.cli._exit import ExitCode
from tests.cli.conftest import Invoker, ThreadedEmulator

FAST = ["--poll-interval", "0.05"]


def preload(emu: ThreadedEmulator, count: int = 1, type: str = "investment_research") -> list[str]:
    return [str(i) for i in emu.call(emu.emulator.preload, count, type=type)]


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_sync_without_wait_starts_and_prints_a_token(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    result = invoke("sync", cid, "--date-limit", "2026-01-01")
    assert result.exit_code == 0, result.stderr
    header, _rule, row, _note, command = result.stdout.splitlines()
    assert header.split() == ["ID", "LABEL", "STARTED", "AT", "DATE", "LIMIT"]
    assert row.split()[0] == cid
    assert row.rstrip().endswith("2026-01-01")
    assert command.startswith("bigdata-connectors sync --resume bdsync2.")  # alone on its line, to copy
    assert emu.emulator.requests["sync"] == 1
    (site,) = preload(emu, type="sharepoint")
    (started,) = lines(invoke("sync", site, "--date-limit", "2026-01-01", "--timeout", "60", "--json").stdout)
    assert started["connector_id"] == site
    assert started["date_limit"] is None  # sharepoint takes none
    assert started["deadline"] is not None
    assert started["token"]


def test_resume_waits_for_a_sync_started_by_another_invocation(invoke: Invoker, emu: ThreadedEmulator) -> None:
    a, b = preload(emu, 2)
    started = lines(invoke("sync", a, b, "--date-limit", "2026-01-01", "--json").stdout)
    tokens = [arg for row in started for arg in ("--resume", row["token"])]
    result = invoke("sync", *tokens, "--json", *FAST)  # a new client on a new event loop, as another process
    assert result.exit_code == 0, result.stderr
    rows = lines(result.stdout)
    assert [(r["connector_id"], r["result"]) for r in rows] == [(a, "success"), (b, "success")]
    again = invoke("sync", "--resume", started[0]["token"], *FAST)  # finished before this resume: still seen
    assert again.exit_code == 0
    assert "SUCCESS" in again.stdout
    assert emu.emulator.requests["sync"] == 2  # resuming never triggers


def test_resume_outcomes(invoke: Invoker, emu: ThreadedEmulator) -> None:
    ok, failing = preload(emu, 2)
    emu.call(emu.emulator.fail_next_syncs, 1)
    (fail_row,) = lines(invoke("sync", failing, "--date-limit", "2026-01-01", "--json").stdout)
    failed = invoke("sync", "--resume", fail_row["token"], *FAST)
    assert failed.exit_code == ExitCode.SYNC_FAILED
    assert "broker login rejected" in failed.stderr
    emu.emulator.sync_duration = 30.0
    (row,) = lines(invoke("sync", ok, "--date-limit", "2026-01-01", "--timeout", "0.05", "--json").stdout)
    time.sleep(0.1)
    late = invoke("sync", "--resume", row["token"], *FAST)  # the deadline in the token has passed
    assert late.exit_code == ExitCode.SYNC_TIMEOUT
    error, intro, command = late.stderr.splitlines()
    assert "the deadline this sync was started with (sync --timeout) has passed" in error
    assert intro == "To wait for it again, here or anywhere:"
    assert command.startswith("bigdata-connectors sync --resume bdsync2.")
    assert command.split()[-1] != row["token"]  # a token without the deadline that has passed
    bad = invoke("sync", "--resume", row["token"][:-3] + "xyz")
    assert bad.exit_code == ExitCode.USAGE
    assert invoke("sync", ok, "--resume", row["token"]).exit_code == ExitCode.USAGE


def test_sync_refusals_send_no_trigger(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    (mail,) = preload(emu, type="email")
    assert invoke("sync").exit_code == ExitCode.USAGE
    assert invoke("sync", cid, "--date-limit", "01/02/2026").exit_code == ExitCode.USAGE
    for args in ([cid], [cid, "--wait"], [mail, "--date-limit", "2026-01-01"], [mail, "--wait"]):
        result = invoke("sync", *args)
        assert result.exit_code == ExitCode.USAGE, args
        assert len(result.stderr.splitlines()) == 1
    assert "email connector" in invoke("sync", mail, "--wait").stderr
    assert invoke("archive", cid).exit_code == 0
    archived = invoke("sync", cid, "--date-limit", "2026-01-01", "--wait")
    assert archived.exit_code == ExitCode.REJECTED
    assert "is archived" in archived.stderr
    assert emu.emulator.requests["sync"] == 0


def test_sync_wait_success_summary(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    result = invoke("sync", cid, "--date-limit", "2026-01-01", "--wait", *FAST)
    assert result.exit_code == 0, result.stderr
    header, _rule, row = result.stdout.splitlines()
    assert header.split() == ["CONNECTOR", "ID", "RESULT", "ITEMS", "FILES", "TIME", "POLLS"]
    assert row.split()[:4] == ["preloaded", "0", cid, "SUCCESS"]
    assert "polls" not in result.stdout
    assert "\x1b[" not in result.stdout
    assert emu.emulator.requests["sync"] == 1


def test_sync_wait_json(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    result = invoke("sync", cid, "--date-limit", "2026-01-01", "--wait", "--json", *FAST)
    assert result.exit_code == 0
    (row,) = lines(result.stdout)
    assert row["connector_id"] == cid
    assert row["result"] == "success"
    assert row["status"] == "SUCCESS"
    assert row["items"] == row["files_count"] == row["connector"]["last_sync_count"] > 0
    assert row["polls"] >= 2
    assert row["elapsed"] > 0
    assert row["error"] is None
    assert row["exit_code"] == 0


def test_sync_failure_is_exit_10(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    emu.call(emu.emulator.fail_next_syncs, 1, status="FAILED", message="broker login rejected")
    result = invoke("sync", cid, "--date-limit", "2026-01-01", "--wait", *FAST)
    assert result.exit_code == ExitCode.SYNC_FAILED
    assert "failed: FAILED" in result.stdout
    (line,) = result.stderr.splitlines()  # the sync is over: no command to wait again
    assert line.startswith(f"bigdata-connectors: error: {cid}: ")
    assert "broker login rejected" in line


def test_sync_timeout_is_exit_11(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    emu.emulator.sync_duration = 30.0
    result = invoke("sync", cid, "--date-limit", "2026-01-01", "--wait", "--timeout", "0.3", "--json", *FAST)
    assert result.exit_code == ExitCode.SYNC_TIMEOUT
    (row,) = lines(result.stdout)
    assert row["result"] == "timed_out"
    assert row["status"] in ("PENDING", "RUNNING")
    assert row["exit_code"] == 11
    assert row["items"] is None  # the connector's counts are still the previous sync's: not shown as this one's
    assert row["files_count"] is None
    assert 0.3 <= row["elapsed"] < 5  # how long this command waited
    assert row["token"].startswith("bdsync2.")
    error, _intro, command = result.stderr.splitlines()
    assert "not finished after 0.3s; the sync goes on on the server" in error
    assert command == f"bigdata-connectors sync --resume {row['token']}"


def test_sync_many_runs_all_and_reports_each(invoke: Invoker, emu: ThreadedEmulator) -> None:
    ok, failing = preload(emu, 2)
    (site,) = preload(emu, type="sharepoint")
    (mail,) = preload(emu, type="email")
    emu.call(emu.emulator.fail_next_syncs, 1)
    args = ["sync", mail, failing, ok, site, "--date-limit", "2026-01-01", "--wait", "--concurrency", "1", *FAST]
    result = invoke(*args, "--json")
    rows = lines(result.stdout)
    assert [r["connector_id"] for r in rows] == [mail, failing, ok, site]  # input order
    assert [r["result"] for r in rows] == ["error", "failed", "success", "success"]  # one at a time: the first
    assert rows[0]["exit_code"] == ExitCode.USAGE
    assert rows[1]["exit_code"] == ExitCode.SYNC_FAILED
    assert result.exit_code == ExitCode.USAGE  # the first one that did not succeed
    assert len(result.stderr.splitlines()) == 2  # one line per failure
    table = invoke("sync", ok, site, "--date-limit", "2026-01-01", "--wait", *FAST)
    assert table.exit_code == 0
    assert [line.split()[2] for line in table.stdout.splitlines()[2:]] == [ok, site]


def test_sync_wait_for_documents(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    emu.emulator.sync_items = 3
    emu.emulator.document_processing = 0.1
    emu.call(emu.emulator.fail_next_documents, 1)
    result = invoke("sync", cid, "--date-limit", "2026-01-01", "--wait", "--documents", "--json", *FAST)
    assert result.exit_code == ExitCode.SYNC_FAILED  # the sync succeeded, one of its documents did not
    (row,) = lines(result.stdout)
    assert row["result"] == "documents_failed"
    assert row["status"] == "SUCCESS"
    docs = row["documents"]
    assert (docs["completed"], docs["failed"], docs["processing"], docs["expected"]) == (2, 1, 0, 3)
    (line,) = result.stderr.splitlines()
    assert f"{cid}: 1 documents failed to process: {docs['failed_names'][0]}" in line
    table = invoke("sync", cid, "--date-limit", "2026-01-01", "--wait", "--documents", *FAST)
    assert table.exit_code == 0, table.stderr
    assert table.stdout.splitlines()[0].split()[-1] == "DOCUMENTS"
    assert "3 completed" in table.stdout


def test_documents_command(invoke: Invoker, emu: ThreadedEmulator) -> None:
    (cid,) = preload(emu)
    emu.emulator.sync_items = 2
    emu.emulator.document_processing = 0.05
    emu.call(emu.emulator.fail_next_documents, 1)
    assert invoke("documents", cid).stdout.startswith("No documents")
    assert invoke("sync", cid, "--date-limit", "2026-01-01", "--wait", "--documents", *FAST).exit_code == 10
    result = invoke("documents", cid)
    assert result.exit_code == 0
    header, _rule, *rows = result.stdout.splitlines()
    assert header.split() == ["ID", "FILE", "NAME", "STATUS", "SIZE", "TYPE", "CREATED", "AT"]
    assert len(rows) == 2
    assert sorted(r.split()[2] for r in rows) == ["completed", "failed"]
    parsed = lines(invoke("documents", cid, "--json").stdout)
    assert len(parsed) == 2
    assert all(len(d["id"]) == 32 for d in parsed)
    failed = lines(invoke("documents", cid, "--status", "failed", "--json").stdout)
    assert [d["status"] for d in failed] == ["failed"]
    assert invoke("documents", cid, "--status", "done").exit_code == ExitCode.USAGE
    assert invoke("documents", "nope").exit_code == ExitCode.USAGE


def test_several_syncs_and_a_resume_wait_for_documents(invoke: Invoker, emu: ThreadedEmulator) -> None:
    a, b = preload(emu, 2)
    (site,) = preload(emu, type="sharepoint")
    emu.emulator.sync_items = 2
    emu.emulator.document_processing = 0.05
    result = invoke("sync", a, site, "--date-limit", "2026-01-01", "--wait", "--documents", "--json", *FAST)
    assert result.exit_code == 0, result.stderr
    assert [(r["connector_id"], r["documents"]["completed"]) for r in lines(result.stdout)] == [(a, 2), (site, 2)]
    (started,) = lines(invoke("sync", b, "--date-limit", "2026-01-01", "--json").stdout)
    resumed = invoke("sync", "--resume", started["token"], "--documents", "--json", *FAST)
    assert resumed.exit_code == 0, resumed.stderr
    assert lines(resumed.stdout)[0]["documents"]["completed"] == 2
    assert invoke("sync", b, "--date-limit", "2026-01-01", "--documents").exit_code == ExitCode.USAGE
