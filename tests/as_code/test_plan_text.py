"""What a plan and an apply say to people: server text never reaches a terminal raw, errors are said in words (no
class names), and every secret no plan can compare is said once, as a note, never as a change."""

from __future__ import annotations

import json
import re

from bigdata_connectors import (
    BigdataClient,
    ConnectorsFile,
    CreateOutcomeUnknownError,
    InternalServerError,
    Plan,
)
from bigdata_connectors.testing import Emulator
from tests.conftest import PASSWORD, SESSION_ID

ENV = {"BROKER_PASSWORD": PASSWORD, "SP_SESSION": SESSION_ID}
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z]+(Error|Exception)\b")
HOSTILE = "C1\x9b31m DEL\x7f bidi\u202eevil\u2066 sep\u2028 nl\n esc\x1b[2J"
FILE = """\
connectors:
  - label: Broker research
    type: investment_research
    config: {user_id: me@broker.com, password_env: BROKER_PASSWORD}
  - label: Research inbox
    type: email
  - label: Team SharePoint
    type: sharepoint
    config: {session_id_env: SP_SESSION}
  - label: New SharePoint
    type: sharepoint
    config: {session_id_env: SP_SESSION}
"""


def declared(text: str = FILE) -> ConnectorsFile:
    return ConnectorsFile.parse(text, name="connectors.yaml", environ=ENV)


async def test_render_writes_server_text_out(api: BigdataClient, emu: Emulator) -> None:
    await api.connectors.create(type="email", label="Research inbox", config=None, description=HOSTILE)
    await api.connectors.create(type="email", label=f"stray {HOSTILE}", config=None)
    plan = await api.connectors.plan(declared(), prune=True)
    for text in (plan.render(), plan.render(unchanged=True), str(plan)):
        assert not UNSAFE.search(text), repr(text)
    colored = plan.render(color=True)
    assert not UNSAFE.search(re.sub(r"\x1b\[[0-9;]*m", "", colored))
    assert "bidi\\u202eevil\\u2066" in plan.render()
    assert "C1\\u009b31m DEL\\u007f" in plan.render()  # values are JSON, C1 and DEL as its escapes
    assert "- archive email 'stray C1\\x9b31m" in plan.render()  # a label, as Python writes it
    data = plan.to_json()
    assert not UNSAFE.search(data.replace("\n", ""))
    assert json.loads(data)["actions"][1]["changes"][0]["before"] == HOSTILE  # the same data for a parser
    assert plan.to_dict()["actions"][1]["changes"][0]["before"] == HOSTILE


async def test_each_unseeable_secret_is_noted_once_never_as_a_change(api: BigdataClient, emu: Emulator) -> None:
    await api.connectors.apply(await api.connectors.plan(declared(FILE.split("  - label: New")[0])))
    plan = await api.connectors.plan(declared())
    assert [a.kind for a in plan.actions] == ["nothing", "nothing", "nothing", "create"]
    assert [a.secrets_not_compared for a in plan.actions] == [
        ("config.user_password",), (), ("config.session_id",), (),  # a create sends its secret: nothing to note
    ]  # fmt: skip
    notes = plan.notes()
    assert len(notes) == 2
    assert notes[0].startswith("investment_research 'Broker research' (")
    assert "cannot see config.user_password ($BROKER_PASSWORD), which the API never returns" in notes[0]
    assert "cannot see config.session_id ($SP_SESSION)" in notes[1]
    assert plan.counts()["update"] == 0  # not a change
    text = plan.render()
    assert text.count("cannot see config.") == 2
    assert "--replace LABEL" in text
    data = plan.to_dict()
    assert data["notes"] == list(notes)
    assert [a["secrets_not_compared"] for a in data["actions"]] == [
        ["config.user_password"],
        [],
        ["config.session_id"],
        [],
    ]
    unchanged = await api.connectors.plan(declared(FILE.split("  - label: New")[0]))
    assert not unchanged.has_changes
    assert unchanged.render().count("cannot see config.") == 2  # said even when nothing changes
    # Asked to replace, a connector's secret is sent: no note for it.
    replaced = await api.connectors.plan(declared(), replace=["Broker research"])
    assert len(replaced.notes()) == 1


async def test_outcomes_say_what_happened_in_words(api: BigdataClient, emu: Emulator) -> None:
    emu.script("create", ["422"])
    report = await api.connectors.apply(
        await api.connectors.plan(declared("connectors:\n  - {label: A, type: email}\n"))
    )
    (outcome,) = report.outcomes
    assert outcome.status == "failed"
    text = str(outcome)
    assert text.startswith("failed to create email 'A': the API answered 422 ")
    assert not CLASS_NAME.search(text), text
    data = outcome.to_dict()
    assert data["error"].startswith("the API answered 422 ")
    assert not CLASS_NAME.search(data["error"])
    assert data["error_type"] == "UnprocessableEntityError"  # for programs, in a field of its own
    assert not CLASS_NAME.search(str(report))


def test_a_lost_create_is_said_without_a_class_name() -> None:
    err = CreateOutcomeUnknownError("Inbox", InternalServerError("bad gateway", status_code=502, request_id="r-9"))
    assert not CLASS_NAME.search(str(err)), str(err)
    assert "502 bad gateway" in str(err)
    assert "the connector may exist" in str(err)


def test_a_plan_made_by_hand_renders_too() -> None:
    assert str(Plan("by hand", ())) == "Plan for by hand\nNo changes: the account matches by hand (0 connectors)."
