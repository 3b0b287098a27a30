"""``plan`` and ``apply`` round trips against the emulator over real loopback HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bigdata_connectors import (
    ActionOutcome,
    AmbiguousLabelError,
    BigdataClient,
    ConnectorsFileError,
    Plan,
)
from bigdata_connectors.testing import Emulator
from tests.as_code.conftest import ENV, FILE, declared
from tests.conftest import PASSWORD, SESSION_ID


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
        assert SESSION_ID not in text


def shown(plan: Plan) -> str:
    text = plan.render(unchanged=True)
    assert_no_secret(text, str(plan), repr(plan), plan.to_json(), plan.render(color=True))
    return text


def live(emu: Emulator) -> dict[str, Any]:
    return {c.label: c for c in emu.state.connectors.values() if not c.archived}


async def test_round_trip_then_nothing_to_do(api: BigdataClient, emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "connectors.yaml"
    path.write_text(FILE)
    plan = await api.connectors.plan(path, environ=ENV)
    assert [(a.kind, a.label) for a in plan.actions] == [
        ("create", "Broker research"), ("create", "Research inbox"), ("create", "Team SharePoint"),
    ]  # fmt: skip
    text = shown(plan)
    assert "+ create investment_research 'Broker research'" in text
    assert "config.user_password  (secret from $BROKER_PASSWORD)" in text
    assert "config.session_id  (secret from $SP_SESSION)" in text
    assert text.endswith("Plan: 3 to create, 0 to update, 0 to replace, 0 to archive, 0 unchanged.")
    data = json.loads(plan.to_json())
    assert data["actions"][0]["config"] == {
        "user_id": "me@broker.com",
        "user_password": "(secret from $BROKER_PASSWORD)",
    }

    seen: list[ActionOutcome] = []
    report = await api.connectors.apply(plan, on_outcome=seen.append)
    assert report.ok
    assert [o.status for o in report.outcomes] == ["done"] * 3
    assert seen == list(report.outcomes)
    assert_no_secret(str(report), json.dumps(report.to_dict()))
    assert emu.created == 3
    assert live(emu)["Broker research"].secret == PASSWORD  # the real value went over the wire
    inbox = live(emu)["Research inbox"]
    assert (inbox.share_with_org, inbox.config["allowed_emails"]) == (True, ["a@fund.com"])

    # A second plan finds nothing to do, and applying it sends no request at all.
    again = await api.connectors.plan(path, environ=ENV)
    assert not again.has_changes
    assert str(again).startswith(f"Plan for {path}\nNo changes: the account matches {path} (3 connectors).\n")
    assert len(again.notes()) == 2  # the broker password and the session id, which no plan can see
    before = sum(emu.requests.values())
    second = await api.connectors.apply(again)
    assert second.ok
    assert [o.status for o in second.outcomes] == ["unchanged"] * 3
    assert sum(emu.requests.values()) == before
    # Applying the first plan a second time changes nothing either: ensure finds every connector.
    replay = await api.connectors.apply(plan)
    assert replay.ok
    assert (emu.created, emu.requests["update"], emu.requests["delete"]) == (3, 0, 0)


async def test_update_shows_a_per_field_diff(api: BigdataClient, emu: Emulator) -> None:
    await api.connectors.apply(await api.connectors.plan(declared()))
    changed = FILE.replace("Daily broker reports", "Weekly").replace("[a@fund.com]", "[a@fund.com, c@fund.com]")
    plan = await api.connectors.plan(declared(changed))
    assert [a.kind for a in plan.actions] == ["update", "update", "nothing"]
    text = shown(plan)
    assert "~ update investment_research 'Broker research' (" in text
    assert '    description  "Daily broker reports" -> "Weekly"' in text
    assert '    config.allowed_emails  ["a@fund.com"] -> ["a@fund.com", "c@fund.com"]' in text
    assert "= nothing sharepoint 'Team SharePoint'" in text
    assert plan.summary() == "Plan: 0 to create, 2 to update, 0 to replace, 0 to archive, 1 unchanged."
    report = await api.connectors.apply(plan)
    assert report.ok
    assert (emu.created, emu.requests["update"]) == (3, 2)
    assert live(emu)["Broker research"].description == "Weekly"
    assert live(emu)["Research inbox"].config["allowed_emails"] == ["a@fund.com", "c@fund.com"]
    assert not (await api.connectors.plan(declared(changed))).has_changes


async def test_a_credential_change_is_a_replacement(api: BigdataClient, emu: Emulator) -> None:
    await api.connectors.apply(await api.connectors.plan(declared()))
    old = live(emu)["Broker research"].connector_id
    changed = FILE.replace("me@broker.com", "new@broker.com")
    plan = await api.connectors.plan(declared(changed))
    (action,) = plan.changes
    assert (action.kind, action.connector_id) == ("replace", str(old))
    text = shown(plan)
    assert "-/+ replace investment_research 'Broker research'" in text
    assert "because its broker user_id changes, and broker credentials are fixed at creation" in text
    assert '    config.user_id  "me@broker.com" -> "new@broker.com"' in text
    report = await api.connectors.apply(plan)
    assert report.ok
    assert emu.state.connectors[old].archived
    new = live(emu)["Broker research"]
    assert (new.config["user_id"], new.secret) == ("new@broker.com", PASSWORD)
    assert not (await api.connectors.plan(declared(changed))).has_changes


async def test_type_change_and_asked_replacement(api: BigdataClient, emu: Emulator) -> None:
    await api.connectors.apply(await api.connectors.plan(declared()))
    as_email = FILE.replace("type: sharepoint\n    config: {session_id_env: SP_SESSION}", "type: email")
    plan = await api.connectors.plan(declared(as_email), replace=["Broker research"])
    assert [(a.kind, a.reasons) for a in plan.changes] == [
        ("replace", ("a replacement was asked for (replace)",)),
        ("replace", ("its type changes from sharepoint to email",)),
    ]
    assert (await api.connectors.apply(plan)).ok
    assert live(emu)["Team SharePoint"].type == "email"
    assert emu.created == 5
    assert len([c for c in emu.state.connectors.values() if c.archived]) == 2
    assert not (await api.connectors.plan(declared(as_email))).has_changes
    with pytest.raises(ValueError, match="does not declare: 'Nope'"):
        await api.connectors.plan(declared(), replace=["Nope"])


async def test_prune_archives_what_the_file_does_not_declare(api: BigdataClient, emu: Emulator) -> None:
    stray = await api.connectors.create(type="email", label="Stray", config=None)
    await api.connectors.apply(await api.connectors.plan(declared()))
    assert "Stray" in live(emu)  # without prune, undeclared connectors are left alone
    plan = await api.connectors.plan(declared(), prune=True)
    (action,) = plan.changes
    assert (action.kind, action.connector_id) == ("archive", str(stray.connector_id))
    text = shown(plan)
    assert text.startswith("Plan for connectors.yaml (prune: archive what the file does not declare)")
    assert f"- archive email 'Stray' ({stray.connector_id})" in text
    report = await api.connectors.apply(plan)
    assert report.ok
    assert [str(o) for o in report.outcomes][-1] == f"archived email 'Stray' ({stray.connector_id})"
    assert set(live(emu)) == {"Broker research", "Research inbox", "Team SharePoint"}
    assert not (await api.connectors.plan(declared(), prune=True)).has_changes


async def test_archives_are_skipped_after_a_failure(api: BigdataClient, emu: Emulator) -> None:
    await api.connectors.create(type="email", label="Stray", config=None)
    plan = await api.connectors.plan(declared(), prune=True)
    emu.script("create", ["422"])  # a refusal: not retried, not ambiguous
    called: list[str] = []

    async def note(outcome: ActionOutcome) -> None:
        called.append(outcome.status)

    report = await api.connectors.apply(plan, on_outcome=note)
    assert not report.ok
    assert called == ["failed", "done", "done", "skipped"]
    assert [o.status for o in report.failed] == ["failed", "skipped"]
    assert str(report.failed[0]).startswith("failed to create investment_research 'Broker research': ")
    assert report.summary() == "Apply: 2 done, 0 unchanged, 1 failed, 1 skipped."
    assert_no_secret(str(report), json.dumps(report.to_dict()))
    assert "Stray" in live(emu)
    # Fixing the cause and applying again converges.
    assert (await api.connectors.apply(await api.connectors.plan(declared(), prune=True))).ok
    assert set(live(emu)) == {"Broker research", "Research inbox", "Team SharePoint"}


async def test_an_ambiguous_label_stops_the_plan(api: BigdataClient, emu: Emulator) -> None:
    for _ in range(2):
        await api.connectors.create(type="email", label="Research inbox", config=None)
    with pytest.raises(AmbiguousLabelError, match="2 live email connectors are labelled 'Research inbox'"):
        await api.connectors.plan(declared())


async def test_an_invalid_file_sends_nothing(api: BigdataClient, emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(FILE)
    with pytest.raises(ConnectorsFileError, match="BROKER_PASSWORD is not set"):
        await api.connectors.plan(path, environ={"SP_SESSION": SESSION_ID})
    assert sum(emu.requests.values()) == 0


async def test_replace_takes_one_label_as_a_string(api: BigdataClient, emu: Emulator) -> None:
    await api.connectors.apply(await api.connectors.plan(declared()))
    plan = await api.connectors.plan(declared(), replace="Broker research")
    assert [(a.kind, a.label) for a in plan.changes] == [("replace", "Broker research")]
