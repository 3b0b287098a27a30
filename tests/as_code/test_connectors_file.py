"""Connectors files: the schema, line numbers, secrets from the environment, and no secret in any message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bigdata_connectors import ConnectorsFile, ConnectorsFileError
from tests.conftest import PASSWORD

SESSION = "sp-session-CANARY-55d1"
ENV = {"BROKER_PASSWORD": PASSWORD, "SP_SESSION": SESSION}

GOOD = """\
version: 1
connectors:
  - label: Broker research
    type: investment_research
    description: Daily broker reports
    share_with_org: true
    config: {user_id: me@broker.com, password_env: BROKER_PASSWORD}
  - label: Research inbox
    type: email
    config:
      allowed_emails: [a@fund.com, b@fund.com]
  - label: Bare inbox
    type: email
  - label: Team SharePoint
    type: sharepoint
    config:
      session_id_env: SP_SESSION
"""


def problems(text: str, environ: dict[str, str] | None = None) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ConnectorsFileError) as caught:
        ConnectorsFile.parse(text, name="c.yaml", environ=ENV if environ is None else environ)
    for secret in (PASSWORD, SESSION):
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value.problems)
    return [(p.line, p.key, p.message) for p in caught.value.problems]


def test_a_good_file() -> None:
    loaded = ConnectorsFile.parse(GOOD, environ=ENV)
    broker, inbox, bare, sp = loaded.connectors
    assert (broker.type, broker.label, broker.description, broker.share_with_org) == (
        "investment_research", "Broker research", "Daily broker reports", True,
    )  # fmt: skip
    assert broker.user_id == "me@broker.com"
    assert broker.user_password is not None
    assert broker.user_password.get_secret_value() == PASSWORD
    assert broker.secret_sources == {"config.user_password": "BROKER_PASSWORD"}
    assert broker.line == 3
    assert inbox.allowed_emails == ("a@fund.com", "b@fund.com")
    assert (bare.allowed_emails, bare.description, bare.share_with_org) == ((), "", False)
    assert sp.session_id is not None
    assert sp.session_id.get_secret_value() == SESSION
    assert PASSWORD not in repr(loaded)
    assert SESSION not in repr(loaded)


def test_read_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "connectors.yaml"
    path.write_text(GOOD)
    assert len(ConnectorsFile.read(path, environ=ENV).connectors) == 4
    with pytest.raises(ConnectorsFileError, match="cannot read the file"):
        ConnectorsFile.read(tmp_path / "missing.yaml")
    with pytest.raises(ConnectorsFileError, match=r"not a path: use ConnectorsFile\.parse\(text\)") as caught:
        ConnectorsFile.read(GOOD)
    assert "Broker research" not in str(caught.value)


def test_missing_variables_are_all_reported_with_their_lines() -> None:
    assert problems(GOOD, environ={}) == [
        (7, "connectors[0].config.password_env", "environment variable BROKER_PASSWORD is not set (or is empty)"),
        (17, "connectors[3].config.session_id_env", "environment variable SP_SESSION is not set (or is empty)"),
    ]
    with pytest.raises(ConnectorsFileError) as caught:
        ConnectorsFile.parse(GOOD, environ={})
    assert caught.value.missing_variables == ("BROKER_PASSWORD", "SP_SESSION")  # what the CLI's exit 3 reads
    with pytest.raises(ConnectorsFileError) as caught:
        ConnectorsFile.parse("connectors:\n  - label: b\n    type: sharepoint\n    config: {session_id_env: hunter2}\n")
    assert caught.value.missing_variables == ("***",)  # maybe a pasted secret: never repeated


def test_a_secret_written_in_the_file_is_refused_without_being_quoted() -> None:
    text = f"connectors:\n  - label: b\n    type: investment_research\n    config:\n      user_id: me\n      user_password: {PASSWORD}\n"
    found = problems(text)
    assert (6, "connectors[0].config.user_password") in [(line, key) for line, key, _ in found]
    assert any("never written in a connectors file" in m for _, _, m in found)
    # A secret pasted where a variable name belongs is not echoed either.
    pasted = "connectors:\n  - label: b\n    type: sharepoint\n    config: {session_id_env: sp-Secret-Value}\n"
    assert problems(pasted) == [
        (4, "connectors[0].config.session_id_env",
         "must name an environment variable (letters, digits, '_'), not hold the secret"),
    ]  # fmt: skip
    lowercase = "connectors:\n  - label: b\n    type: sharepoint\n    config: {session_id_env: hunter2}\n"
    assert problems(lowercase)[0][2] == "the environment variable named here is not set (or is empty)"


def test_schema_problems_point_to_line_and_key() -> None:
    text = """\
connectors:
  - label: One
    type: emial
  - label: Two
    type: investment_research
    share_with_org: "yes please"
    config:
      user_id: me
      pasword_env: X
  - type: email
    lable: Three
  - label: One
    type: email
    config: {allowed_emails: [not-an-address]}
  - label: One
    type: email
colour: blue
"""
    assert problems(text) == [
        (3, "connectors[0].type", "must be one of email, investment_research, sharepoint"),
        (6, "connectors[1].share_with_org", "must be true or false"),
        (8, "connectors[1].config.password_env", "required"),
        (9, "connectors[1].config.pasword_env", "unknown key 'pasword_env' (did you mean 'password_env'?); "
                                                "expected: user_id, password_env"),
        (10, "connectors[2].label", "required"),
        (11, "connectors[2].lable", "unknown key 'lable' (did you mean 'label'?); expected: label, type, "
                                    "description, share_with_org, config"),
        (12, "connectors[3].label", "'One' is declared twice (first at line 2): labels are the key"),
        (14, "connectors[3].config.allowed_emails[0]", "not an email address (no '@')"),
        (15, "connectors[4].label", "'One' is declared twice (first at line 2): labels are the key"),
        (17, "colour", "unknown key 'colour'; expected: version, connectors"),
    ]  # fmt: skip


def test_shapes_and_syntax() -> None:
    assert problems("") == [(None, "", "the file is empty: it needs a 'connectors' list")]
    assert problems("- a\n- b\n") == [(1, "", "must be a mapping of keys to values")]
    assert problems("connectors: {label: x}\n") == [
        (1, "connectors", "must be a list of connectors (each item starting with '- ')")
    ]
    assert problems("version: 2\nconnectors: []\n") == [(1, "version", "only version 1 is known")]
    assert problems("connectors:\n  - label: x\n    type: sharepoint\n") == [
        (2, "connectors[0].config", "required for sharepoint connectors (session_id_env)")
    ]
    assert problems("connectors:\n  - label: x\n    type: email\n    type: email\n") == [
        (4, "connectors[0].type", "given twice")
    ]
    (line, _key, message), *_ = problems(f"connectors:\n  - label: [{PASSWORD}\n    type: email\n")
    assert line is not None
    assert message.startswith("not valid YAML: ")
    assert ConnectorsFile.parse("connectors: []\n").connectors == ()


def test_import_does_not_pull_yaml_and_a_missing_yaml_is_explained() -> None:
    code = "import sys, bigdata_connectors; print('yaml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    code = (
        "import sys; sys.modules['yaml'] = None\n"
        "from bigdata_connectors import ConnectorsFile\n"
        "try:\n    ConnectorsFile.parse('connectors: []')\n"
        "except ImportError as err:\n    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'bigdata-connectors[yaml]'" in out


def test_the_readme_file_is_valid() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert len(block.splitlines()) == 5
    (spec,) = ConnectorsFile.parse(block, environ=ENV).connectors
    assert (spec.label, spec.type, spec.secret_sources) == (
        "Broker research", "investment_research", {"config.user_password": "BROKER_PASSWORD"},
    )  # fmt: skip
