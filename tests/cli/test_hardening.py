"""Issue 21 at the command line: what the core now refuses or cleans never reaches stdout or stderr, with and
without ``--json`` and ``--debug``. Each command runs against a real loopback server of our own (in a thread: the
command line runs its own event loop)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from aiohttp import web
from click.testing import CliRunner, Result

from bigdata_connectors.cli import cli
from bigdata_connectors.cli._exit import ExitCode
from tests.conftest import API_KEY, CID, PASSWORD, SESSION_ID, connector_json
from tests.echoes import ENCODERS, echo_body, seen_by_user
from tests.loopback import Handler, Loopback


class ThreadedLoopback:
    """A ``Loopback`` serving from its own thread and event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server = Loopback()

    def __enter__(self) -> ThreadedLoopback:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def serve(self, handler: Handler) -> str:
        self.server.handler = handler
        return self.server.url


@pytest.fixture
def loopback() -> Iterator[ThreadedLoopback]:
    with ThreadedLoopback() as server:
        yield server


def run(*args: str, env: Mapping[str, str | None]) -> Result:
    return CliRunner(env={"BIGDATA_API_KEY": API_KEY, "NO_COLOR": "1", **env}).invoke(
        cli, list(args), catch_exceptions=False
    )


# ---------------------------------------------------------------- item 1: the password a server echoes


@pytest.mark.parametrize("flags", [(), ("--json",), ("--debug",), ("--json", "--debug")])
@pytest.mark.parametrize("encoding", ["go", "dotnet", "php", "python-utf8"])
def test_create_never_prints_the_password_a_server_echoes(
    loopback: ThreadedLoopback, encoding: str, flags: tuple[str, ...]
) -> None:
    password = f"Tr0ub4dor&3<{PASSWORD}>/ä😀"

    async def echo(request: web.Request) -> web.Response:
        sent = json.loads(await request.read())["config"]["user_password"]
        return web.Response(status=400, text=ENCODERS[encoding](echo_body(sent)), content_type="application/json")

    url = loopback.serve(echo)
    result = run(
        "create", "--type", "investment_research", "--label", "x", "--user-id", "me", "--password-env", "PW", *flags,
        env={"BIGDATA_BASE_URL": url, "PW": password},
    )  # fmt: skip
    assert result.exit_code == ExitCode.REJECTED, result.stderr
    assert seen_by_user(password, texts=[result.stdout, result.stderr]) == []
    assert "login failed for user me with password ***" in result.stderr


# ---------------------------------------------------------------- item 2: secret-named fields in answers


def _leaky_connectors() -> list[dict[str, Any]]:
    return [
        connector_json(type="investment_research", config={"user_id": "me", "user_password": PASSWORD}),
        connector_json(
            connector_id="019a9612-bfad-758c-884e-37dd8c6ad2cc",
            type="google_drive",  # a type the SDK does not know: its config stays a plain dict
            config={"folder": "research", "auth": {"password": PASSWORD, "tokens": [{"session_id": SESSION_ID}]}},
        ),
    ]


@pytest.mark.parametrize("command", [("get", CID), ("get", CID, "--json"), ("list",), ("list", "--json")])
def test_secret_named_fields_of_an_answer_print_as_stars(loopback: ThreadedLoopback, command: tuple[str, ...]) -> None:
    async def answer(request: web.Request) -> web.Response:
        listed = _leaky_connectors()
        return web.json_response({"results": listed} if request.path.endswith("/connectors") else listed[0])

    result = run(*command, env={"BIGDATA_BASE_URL": loopback.serve(answer), "COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert SESSION_ID not in result.stdout + result.stderr
    if command != ("list",):  # the list's table shows no config
        assert "***" in result.stdout
    if "--json" in command:
        first = json.loads(result.stdout.splitlines()[0])
        assert first["config"]["user_password"] == "***"


# ---------------------------------------------------------------- item 3: credentials in the base URL


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{PASSWORD}@api.example.test",
        f"https://user:{PASSWORD}@api.example.test:99999",
        f"ftp://user:{PASSWORD}@api.example.test",
        f"https://user:{PASSWORD}@[::1",
        f"https://{PASSWORD}@api.example.test",
    ],
)
@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_base_url_with_credentials_is_a_config_error_with_the_password_masked(url: str, how: str) -> None:
    args, env = (["--base-url", url], {}) if how == "option" else ([], {"BIGDATA_BASE_URL": url})
    result = run(*args, "list", "--debug", env=env)
    assert result.exit_code == ExitCode.CONFIG, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert "***" in result.stderr
    assert "unexpected" not in result.stderr


# ---------------------------------------------------------------- item 5: a list that would not end


def test_documents_of_a_server_that_ignores_page_ends_with_exit_8(loopback: ThreadedLoopback) -> None:
    page = {
        "results": [
            {"id": f"{i:032X}", "status": "completed", "created_at": "2026-01-01T00:00:00Z"} for i in range(100)
        ]
    }
    hits: list[str] = []

    async def same_page(request: web.Request) -> web.Response:
        hits.append(request.query.get("page", ""))
        return web.json_response(page if len(hits) < 20 else {"results": []})  # stops a client that never would

    result = run("documents", CID, env={"BIGDATA_BASE_URL": loopback.serve(same_page)})
    assert result.exit_code == ExitCode.UNAVAILABLE, result.stderr
    assert "does not end" in result.stderr
    assert "'page'" in result.stderr
    assert hits == ["1", "2"]


# ---------------------------------------------------------------- item 6: a hostile connectors file


@pytest.mark.parametrize(
    "text",
    [
        "connectors:\n  - " + "[" * 5000 + "]" * 5000 + "\n",
        # 1,000 entries, each naming the same 1,000 addresses: a 25 KB file standing for a million values
        "emails: &e [" + ", ".join(f"a{i}@x.io" for i in range(1000)) + "]\n"
        "entry: &c {label: L, type: email, config: {allowed_emails: *e}}\n"
        "connectors: [" + ", ".join(["*c"] * 1000) + "]\n",
    ],
    ids=["deep", "aliases"],
)
def test_plan_refuses_a_hostile_file_with_the_file_error_code(tmp_path: Any, text: str) -> None:
    path = tmp_path / "connectors.yaml"
    path.write_text(text)
    result = run("plan", "-f", str(path), env={"BIGDATA_BASE_URL": "http://127.0.0.1:9"})
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert "unexpected" not in result.stderr
    assert "RecursionError" not in result.stderr
    assert "line " in result.stderr
    assert "nested deeper" in result.stderr or "aliases" in result.stderr


# ---------------------------------------------------------------- item 10: --ssl


def test_ssl_option_without_truststore_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "truststore", None)  # as if the extra were not installed
    for args, env in ((["--ssl", "system"], {}), ([], {"BIGDATA_SSL": "system"})):
        result = run(*args, "list", env={"BIGDATA_BASE_URL": "http://127.0.0.1:9", **env})
        assert result.exit_code == ExitCode.CONFIG, result.stderr
        assert "bigdata-connectors[truststore]" in result.stderr
