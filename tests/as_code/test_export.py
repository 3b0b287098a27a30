"""``export``: the account as a connectors file that plans to no changes, on every type and whatever the labels hold;
secrets only as derived variables; stable text; what is left out said; YAML that reads back as what was written."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bigdata_connectors import BigdataClient, ConnectorsFile, ConnectorsFileError
from bigdata_connectors._as_code.emit import scalar
from bigdata_connectors.testing import Emulator
from bigdata_connectors.testing._state import StoredConnector, uuid7
from tests.conftest import PASSWORD, SESSION_ID

# Labels a person can type in a web app, and what a YAML writer gets wrong.
LABELS = [
    "Broker research",
    "  spaces around  ",
    "Recherche côté 研究 📈",
    'He said "hi"',
    "it's",
    "yes",
    "No",
    "null",
    "~",
    "- x",
    "#",
    "a # b",
    "key: value",
    "line\nbreak",
    "tab\there",
    "2026-01-01",
    "0x1F",
    "1e3",
    "@home",
    "{json}",
    "[list]",
    "&anchor",
    "*alias",
    "!tag",
    "%directive",
    "`tick`",
    "C1\x85next\x9bline",
    "\u202eevil bidi\u2066",
    "esc \x1b[2J",
    "del\x7f",
    "sep\u2028para\u2029",
    "bom\ufeff",
    "back\\slash",
    "---",
    "...",
    "?",
    "=",
    "<<",
]
TYPES = ("email", "investment_research", "sharepoint")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def config_for(kind: str, index: int) -> dict[str, Any] | None:
    if kind == "email":
        return {"allowed_emails": [f"desk{index}@fund.example", "b@fund.example"]} if index % 2 else None
    if kind == "investment_research":
        return {"user_id": f"user{index}@broker.example", "user_password": PASSWORD}
    return {"session_id": SESSION_ID}


async def fill(api: BigdataClient, labels: list[str] = LABELS) -> None:
    for index, label in enumerate(labels):
        kind = TYPES[index % 3]
        await api.connectors.create(
            type=kind,  # type: ignore[arg-type]
            label=label,
            config=config_for(kind, index),
            description=None if index % 4 == 0 else f"about {label}",
            share_with_org=index % 2 == 1,
        )


def state(declared: ConnectorsFile) -> list[tuple[Any, ...]]:
    return [
        (s.label, s.type, s.description, s.share_with_org, s.allowed_emails, s.user_id) for s in declared.connectors
    ]


def environment(exported: ConnectorsFile) -> dict[str, str]:
    return dict.fromkeys(exported.variables, "value-of-the-secret")


async def test_an_exported_file_plans_to_no_changes_on_every_type(api: BigdataClient, emu: Emulator) -> None:
    await fill(api)
    exported = await api.connectors.export()
    assert {s.type for s in exported.connectors} == set(TYPES)
    assert len(exported.connectors) == len(LABELS)
    text = exported.to_yaml()
    for canary in (PASSWORD, SESSION_ID):
        assert canary not in text
    parsed = ConnectorsFile.parse(text, name="exported.yaml", environ=environment(exported))
    assert state(parsed) == state(exported)
    assert sorted(s.label for s in parsed.connectors) == sorted(LABELS)  # every label read back as it was
    before = dict(emu.requests)
    plan = await api.connectors.plan(parsed)
    assert not plan.has_changes, plan.render()
    assert plan.counts()["nothing"] == len(LABELS)
    assert dict(emu.requests) == {**before, "list": before["list"] + 1}  # a plan only reads
    # The same file through a path, as `plan -f` reads it, and the exported value itself.
    assert not (await api.connectors.plan(exported, environ=environment(exported))).has_changes


async def test_the_text_is_stable_and_commented(api: BigdataClient, emu: Emulator) -> None:
    await fill(api, ["Zeta", "alpha", "Broker research"])
    exported = await api.connectors.export()
    text = exported.to_yaml()
    assert text == (await api.connectors.export()).to_yaml()  # exporting an unchanged account: the same bytes
    assert [s.label for s in exported.connectors] == ["Broker research", "Zeta", "alpha"]
    for label, ident in exported.ids.items():
        assert f"  # connector_id: {ident}\n  - label: {label}\n" in text
    assert set(exported.ids.values()) == {str(i) for i in emu.state.connectors}
    header = text.split("version: 1")[0]
    for variable in exported.variables:
        assert re.search(rf"^#   {variable} +the ", header, re.M), variable  # each variable listed in the header
    assert exported.variables == ("BIGDATA_BROKER_RESEARCH_SESSION_ID", "BIGDATA_ALPHA_PASSWORD")


async def test_secrets_are_variables_valid_and_distinct(api: BigdataClient) -> None:
    labels = ["Desk-A", "desk a", "研究", "Фонд", "2026 feed", "x" * 90, "Desk-A "]
    for label in labels:
        await api.connectors.create(
            type="investment_research", label=label, config={"user_id": "u@b.example", "user_password": PASSWORD}
        )
    await api.connectors.create(type="sharepoint", label="日本", config={"session_id": SESSION_ID})
    exported = await api.connectors.export()
    names = [v for spec in exported.connectors for v in spec.secret_sources.values()]
    assert len(names) == len(set(names)) == len(labels) + 1  # one each: two connectors never share a variable
    assert all(NAME.fullmatch(n) and n.startswith("BIGDATA_") for n in names), names
    by_label = {(s.label, s.type): next(iter(s.secret_sources.values())) for s in exported.connectors}
    assert by_label[("2026 feed", "investment_research")] == "BIGDATA_2026_FEED_PASSWORD"
    assert len(by_label[("x" * 90, "investment_research")]) < 64
    # Labels that spell the same name, or none, get the random end of their connector's id.
    for label in ("Desk-A", "desk a", "Desk-A "):
        tail = exported.ids[label].replace("-", "")[-8:].upper()
        assert by_label[(label, "investment_research")] == f"BIGDATA_DESK_A_{tail}_PASSWORD"
    tail = exported.ids["日本"].replace("-", "")[-8:].upper()
    assert by_label[("日本", "sharepoint")] == f"BIGDATA_CONNECTOR_{tail}_SESSION_ID"
    assert by_label[("Фонд", "investment_research")].startswith("BIGDATA_")


async def test_labels_globs_and_type(api: BigdataClient) -> None:
    await fill(api, ["Broker one", "Broker two", "Inbox", "broker three"])
    assert [s.label for s in (await api.connectors.export(label="Broker *")).connectors] == ["Broker one", "Broker two"]
    several = await api.connectors.export(label=["Inbox", "broker*"])
    assert [s.label for s in several.connectors] == ["Inbox", "broker three"]
    assert [s.label for s in (await api.connectors.export(type="investment_research")).connectors] == ["Broker two"]
    assert (await api.connectors.export(label="Broker *", type="email")).connectors[0].label == "Broker one"
    assert not (await api.connectors.export(label="B")).connectors  # one glob, not its letters
    with pytest.raises(ValueError, match="type must be one of"):
        await api.connectors.export(type="fax")  # type: ignore[arg-type]


async def test_what_is_left_out_is_said(api: BigdataClient, emu: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    kept = await api.connectors.create(type="email", label="Kept", config=None)
    gone = await api.connectors.create(type="email", label="Old", config=None)
    await api.connectors.delete(gone.connector_id)
    for _ in range(2):
        await api.connectors.create(type="email", label="Twice", config=None)
    odd = uuid7(emu.rng)
    now = datetime.now(UTC)
    emu.state.connectors[odd] = StoredConnector(odd, "fax", "Fax line\n", "", False, {"number": "1"}, None, now, now)
    with caplog.at_level(logging.WARNING, logger="bigdata_connectors"):
        exported = await api.connectors.export()
    assert [s.label for s in exported.connectors] == ["Kept"]
    assert exported.ids == {"Kept": str(kept.connector_id)}
    notes = "\n".join(exported.notes)
    assert f"fax 'Fax line\\n' ({odd}): its type is not one this version of bigdata-connectors knows" in notes
    assert notes.count("2 live connectors share its label") == 2
    assert "1 archived connector (archived connectors are not exported)" in notes
    assert len([r for r in caplog.records if "not exported" in r.getMessage()]) == len(exported.notes)
    text = exported.to_yaml()
    assert "# Not exported:\n" in text
    assert "#   - fax 'Fax line\\n'" in text  # the line break written out: a comment cannot be ended by a label
    assert yaml.safe_load(text) == {
        "version": 1,
        "connectors": [{"label": "Kept", "type": "email", "share_with_org": False}],
    }


async def test_an_exported_value_needs_its_variables_to_plan(api: BigdataClient) -> None:
    await fill(api, ["Broker", "Team", "Inbox"])
    exported = await api.connectors.export()
    with pytest.raises(ConnectorsFileError) as caught:
        await api.connectors.plan(exported, environ={})
    assert set(caught.value.missing_variables) == set(exported.variables)


async def test_an_empty_account_exports_an_empty_file(api: BigdataClient) -> None:
    exported = await api.connectors.export()
    assert exported.to_yaml().endswith("version: 1\nconnectors: []\n")
    assert ConnectorsFile.parse(exported.to_yaml()).connectors == ()


def test_a_file_read_writes_back_to_the_same_state() -> None:
    text = (
        "connectors:\n"
        "  - {label: 'yes', type: investment_research, config: {user_id: u@b.example, password_env: MY_PW}}\n"
        "  - {label: Inbox, type: email, description: 'a: b', share_with_org: true,"
        " config: {allowed_emails: [a@fund.example]}}\n"
    )
    first = ConnectorsFile.parse(text, environ={"MY_PW": PASSWORD})
    again = ConnectorsFile.parse(first.to_yaml(), environ={"MY_PW": PASSWORD})

    assert state(again) == state(first)
    assert [s.user_password for s in again.connectors] == [s.user_password for s in first.connectors]
    assert "password_env: MY_PW" in first.to_yaml()
    assert PASSWORD not in first.to_yaml()
    assert first.variables == ("MY_PW",)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_string_is_written_as_a_yaml_scalar_that_reads_back_as_itself(value: str) -> None:
    written = scalar(value)
    assert "\n" not in written
    assert yaml.safe_load(f"key: {written}\n") == {"key": value}
    assert yaml.safe_load(f"- {written}\n") == [value]


@pytest.mark.parametrize("label", LABELS)
def test_tricky_labels_are_quoted_where_yaml_would_read_them_otherwise(label: str) -> None:
    written = scalar(label)
    assert yaml.safe_load(f"label: {written}") == {"label": label}
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]", written)
