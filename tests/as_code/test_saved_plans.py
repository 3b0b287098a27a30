"""Saved plans against the emulator: ``plan.save`` / ``Plan.load`` / ``apply``. Exactly what was planned while the
account is as it was; refused, before any change, once a connector the plan covers moved; never a secret in the file."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bigdata_connectors import (
    BigdataClient,
    ConnectorsFileError,
    ConnectorSpec,
    EnsureError,
    Plan,
    PlanAction,
    StalePlanError,
)
from bigdata_connectors.testing import Emulator
from tests.as_code.conftest import ENV, FILE, declared
from tests.conftest import PASSWORD, SESSION_ID

WRITES = ("create", "update", "delete")


def writes(emu: Emulator) -> dict[str, int]:
    return {route: emu.requests[route] for route in WRITES}


def live(emu: Emulator) -> dict[str, Any]:
    return {c.label: c for c in emu.state.connectors.values() if not c.archived}


def no_secret(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
        assert SESSION_ID not in text


async def saved(api: BigdataClient, tmp_path: Path, text: str = FILE, **options: Any) -> Path:
    path = tmp_path / "plan.json"
    (await api.connectors.plan(declared(text), **options)).save(path)
    return path


async def test_a_saved_plan_applies_exactly_its_actions(api: BigdataClient, emu: Emulator, tmp_path: Path) -> None:
    await api.connectors.create(type="email", label="Research inbox", config={"allowed_emails": ["old@fund.com"]})
    path = await saved(api, tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["plan.json"]  # no temporary file left behind
    text = path.read_text()
    no_secret(text)
    document = json.loads(text)
    assert (document["format"], document["version"]) == ("bigdata-connectors plan", 1)
    assert document["variables"] == ["BROKER_PASSWORD", "SP_SESSION"]
    assert [a["action"] for a in document["actions"]] == ["create", "update", "create"]
    assert [c["label"] for c in document["connectors"]] == ["Research inbox"]

    plan = Plan.load(path, environ=ENV)
    assert plan.plan_file == str(path)
    no_secret(str(plan), repr(plan), plan.to_json(), plan.render(color=True, unchanged=True), repr(plan.actions))
    assert [(a.kind, a.label) for a in plan.actions] == [
        ("create", "Broker research"), ("update", "Research inbox"), ("create", "Team SharePoint"),
    ]  # fmt: skip
    before = dict(emu.requests)
    report = await api.connectors.apply(plan)
    assert report.ok
    no_secret(str(report), json.dumps(report.to_dict()))
    added = {route: emu.requests[route] - before.get(route, 0) for route in emu.requests}
    assert (added["create"], added["update"], added.get("delete", 0)) == (2, 1, 0)
    assert live(emu)["Broker research"].secret == PASSWORD  # read from the environment at apply time
    assert live(emu)["Team SharePoint"].type == "sharepoint"
    assert live(emu)["Research inbox"].config["allowed_emails"] == ["a@fund.com"]
    assert not (await api.connectors.plan(declared())).has_changes
    # Applied once, the plan no longer fits the account: applying it again is refused, not repeated.
    with pytest.raises(StalePlanError, match="is new, under a label the plan declares"):
        await api.connectors.apply(Plan.load(path, environ=ENV))
    assert emu.created == 3  # the inbox made by hand, and the two the plan created


async def test_an_edit_after_saving_refuses_the_plan_and_changes_nothing(
    api: BigdataClient, emu: Emulator, tmp_path: Path
) -> None:
    await api.connectors.apply(await api.connectors.plan(declared()))
    path = await saved(api, tmp_path, FILE.replace("Daily broker reports", "Weekly"))
    inbox = live(emu)["Research inbox"]
    await api.connectors.update(inbox.connector_id, description="edited in the web app")  # someone else's change
    before, requests = writes(emu), sum(emu.requests.values())
    with pytest.raises(StalePlanError) as caught:
        await api.connectors.apply(Plan.load(path, environ=ENV))
    assert writes(emu) == before  # nothing written...
    assert sum(emu.requests.values()) == requests + 1  # ...and only the account read
    assert caught.value.plan_file == str(path)
    assert caught.value.differences == (f"email 'Research inbox' ({inbox.connector_id}) changed: description",)
    assert isinstance(caught.value, EnsureError)
    assert "nothing was changed: make a new plan" in str(caught.value)
    assert live(emu)["Broker research"].description == "Daily broker reports"


@pytest.mark.parametrize("edit", ["updated_at", "archived", "deleted", "label", "share", "config", "new", "type"])
async def test_every_kind_of_change_makes_a_saved_plan_stale(
    api: BigdataClient, emu: Emulator, tmp_path: Path, edit: str
) -> None:
    await api.connectors.apply(await api.connectors.plan(declared()))
    path = await saved(api, tmp_path, FILE.replace("Daily broker reports", "Weekly"))
    broker = live(emu)["Broker research"]
    if edit == "updated_at":  # a field the SDK does not model changed: only updated_at says so
        broker.updated_at += timedelta(seconds=1)
    elif edit == "archived":
        await api.connectors.delete(broker.connector_id)
    elif edit == "deleted":
        del emu.state.connectors[broker.connector_id]
    elif edit == "label":
        broker.label = "Broker research (old)"
    elif edit == "share":
        broker.share_with_org = True
    elif edit == "config":
        broker.config = {"user_id": "someone@broker.com"}
    elif edit == "type":
        broker.type = "sharepoint"
    else:  # a connector created under a planned label
        await api.connectors.create(type="email", label="Team SharePoint", config=None)
    before = writes(emu)
    with pytest.raises(StalePlanError) as caught:
        await api.connectors.apply(Plan.load(path, environ=ENV))
    assert writes(emu) == before
    (difference,) = caught.value.differences
    expected = {
        "updated_at": "was edited (its updated_at moved)",
        "archived": "was archived",
        "deleted": "was deleted",
        "label": "changed: label",
        "share": "changed: share_with_org",
        "config": "changed: config",
        "type": "changed: type",
        "new": "is new, under a label the plan declares",
    }[edit]
    assert difference.endswith(expected), difference


async def test_what_the_plan_does_not_cover_may_change(api: BigdataClient, emu: Emulator, tmp_path: Path) -> None:
    other = await api.connectors.create(type="email", label="Someone else's", config=None)
    path = await saved(api, tmp_path)
    await api.connectors.update(other.connector_id, description="edited")
    await api.connectors.create(type="email", label="Another one", config=None)
    assert (await api.connectors.apply(Plan.load(path, environ=ENV))).ok  # without prune it covers neither
    # With prune every live connector is covered: a new one is one a new plan would archive.
    pruning = await saved(api, tmp_path, prune=True)
    await api.connectors.create(type="email", label="Latecomer", config=None)
    with pytest.raises(StalePlanError, match=r"'Latecomer' .* is new, and prune would archive it"):
        await api.connectors.apply(Plan.load(pruning, environ=ENV))
    assert {"Someone else's", "Another one", "Latecomer"} <= set(live(emu))


async def test_a_changed_connectors_file_does_not_matter(api: BigdataClient, emu: Emulator, tmp_path: Path) -> None:
    """The plan holds what it applies; the file is not read again (what was reviewed is the plan)."""
    source = tmp_path / "connectors.yaml"
    source.write_text(FILE)
    plan_file = tmp_path / "plan.json"
    (await api.connectors.plan(source, environ=ENV)).save(plan_file)
    document = json.loads(plan_file.read_text())
    assert document["source_sha256"] == __import__("hashlib").sha256(source.read_bytes()).hexdigest()
    source.write_text("connectors: []\n")
    assert (await api.connectors.apply(Plan.load(plan_file, environ=ENV))).ok
    assert set(live(emu)) == {"Broker research", "Research inbox", "Team SharePoint"}


async def test_secrets_come_from_the_environment_when_loaded(api: BigdataClient, emu: Emulator, tmp_path: Path) -> None:
    path = await saved(api, tmp_path)
    with pytest.raises(ConnectorsFileError) as caught:
        Plan.load(path, environ={"SP_SESSION": SESSION_ID})
    assert caught.value.missing_variables == ("BROKER_PASSWORD",)
    assert "environment variable BROKER_PASSWORD is not set" in str(caught.value)
    rotated = Plan.load(path, environ={"BROKER_PASSWORD": "rotated-pw", "SP_SESSION": SESSION_ID})
    assert (await api.connectors.apply(rotated)).ok
    assert live(emu)["Broker research"].secret == "rotated-pw"  # today's value, not the planner's
    # A plan that sends no secret (updates only) needs none of the variables.
    updating = await saved(api, tmp_path, FILE.replace("Daily broker reports", "Weekly"))
    assert json.loads(updating.read_text())["variables"] == []
    assert (await api.connectors.apply(Plan.load(updating, environ={}))).ok
    assert live(emu)["Broker research"].description == "Weekly"


async def test_a_rotation_is_a_replacement_the_plan_file_can_carry(
    api: BigdataClient, emu: Emulator, tmp_path: Path
) -> None:
    await api.connectors.apply(await api.connectors.plan(declared()))
    old = live(emu)["Broker research"].connector_id
    path = await saved(api, tmp_path, replace=["Broker research"])
    report = await api.connectors.apply(Plan.load(path, environ={**ENV, "BROKER_PASSWORD": "new-pw"}))
    assert report.ok
    assert emu.state.connectors[old].archived
    assert live(emu)["Broker research"].secret == "new-pw"


async def test_a_damaged_plan_file_is_refused(api: BigdataClient, tmp_path: Path) -> None:
    path = await saved(api, tmp_path)
    document = json.loads(path.read_text())
    cases: dict[str, tuple[str, str]] = {}
    tampered = json.loads(json.dumps(document))
    tampered["actions"][0]["declared"]["user_id"] = "attacker@broker.com"
    cases["changed after it was saved"] = ("tampered.json", json.dumps(tampered))
    cases["not a saved plan"] = ("text.json", "connectors: []\n")
    newer = {**document, "version": 2}
    cases["upgrade bigdata-connectors"] = ("newer.json", json.dumps(newer))
    cases["cannot read the plan file"] = ("missing.json", "")
    for expected, (name, text) in cases.items():
        target = tmp_path / name
        if text:
            target.write_text(text)
        with pytest.raises(ConnectorsFileError, match=expected):
            Plan.load(target, environ=ENV)
    # Reformatting is not tampering: the checksum is over the data, not the layout.
    (tmp_path / "compact.json").write_text(json.dumps(document, separators=(",", ":")))
    assert Plan.load(tmp_path / "compact.json", environ=ENV).actions


async def test_saving_replaces_atomically_with_mode_0600(api: BigdataClient, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("old")
    path.chmod(0o644)
    (await api.connectors.plan(declared())).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["format"] == "bigdata-connectors plan"
    assert os.listdir(tmp_path) == ["plan.json"]
    with pytest.raises(FileNotFoundError):
        (await api.connectors.plan(declared())).save(tmp_path / "no such folder" / "plan.json")
    assert os.listdir(tmp_path) == ["plan.json"]


def test_only_plans_with_a_basis_and_named_secrets_can_be_saved(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"only a plan made by client\.connectors\.plan"):
        Plan("by hand", ()).save(tmp_path / "plan.json")
    from pydantic import SecretStr

    from bigdata_connectors._as_code.basis import take_basis

    spec = ConnectorSpec("investment_research", "X", user_id="u@b.com", user_password=SecretStr(PASSWORD))
    plan = Plan("code", (PlanAction("create", "X", spec.type, spec=spec),), basis=take_basis((), (), prune=False,
                made_at="2026-01-01T00:00:00Z", source_sha256=None))  # fmt: skip
    with pytest.raises(ValueError, match="holds only variable names"):
        plan.save(tmp_path / "plan.json")
    assert not (tmp_path / "plan.json").exists()


async def test_an_unchanged_saved_plan_reads_once_and_writes_nothing(
    api: BigdataClient, emu: Emulator, tmp_path: Path
) -> None:
    await api.connectors.apply(await api.connectors.plan(declared()))
    path = await saved(api, tmp_path)
    plan = Plan.load(path, environ={})  # nothing to create or replace: no variable needed
    assert not plan.has_changes
    before = dict(emu.requests)
    report = await api.connectors.apply(plan)
    assert [o.status for o in report.outcomes] == ["unchanged"] * 3
    assert dict(emu.requests) == {**before, "list": before["list"] + 1}


async def test_server_text_in_a_plan_file_is_escaped_and_read_back(
    api: BigdataClient, emu: Emulator, tmp_path: Path
) -> None:
    hostile = "rev\u202eerse C1\x9b nl\n del\x7f"
    made = await api.connectors.create(type="email", label="Research inbox", config=None)
    emu.state.connectors[made.connector_id].description = hostile  # as a server might send it (JSON escapes)
    path = await saved(api, tmp_path)
    raw = path.read_text(encoding="utf-8")
    assert "\u202e" not in raw
    assert "\x9b" not in raw
    assert "\\u202e" in raw
    plan = Plan.load(path, environ=ENV)
    (update,) = [a for a in plan.actions if a.kind == "update"]
    assert update.changes[0].before == hostile
    assert (await api.connectors.apply(plan)).ok
