"""The change report (``make spec-diff``): changes in OpenAPI terms, breaking flags, patch status; and the next
version generated into models that accept the new connector type.

The fixtures are described in ``tests/spec/support.py``; every test works in a temporary repository layout.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.spec.support import V1, V2, build_spec, filtered, make_tree, patch_status, spec_diff, vendor

# -------------------------------------------------------------------------------------- change report


def _report() -> spec_diff.Report:
    return spec_diff.compare(filtered(V1), filtered(V2), build_spec.load_patches())


def test_next_version_report_lists_each_change_with_its_breaking_flag() -> None:
    report = _report()
    found = {(c.where, c.what): c.breaking for c in report.changes}
    expected = {
        ("Connector.files_count", "field removed (was optional)"): True,  # a removed response field
        ("ConnectorUpdatePayload.version", "field added (required)"): True,  # a new required request field
        ("Connector.next_sync_at", "field added (optional)"): False,  # responses keep unknown fields
        ("Connector.type", "enum value added: 'google_drive'"): False,  # tolerant: Literal[...] | str
        ("ConnectorCreatePayload.type", "enum value added: 'google_drive'"): False,  # a new option to send
        ("Connector.config", "alternative added: GoogleDriveConnectorResponseConfig"): False,
        ("ConnectorCreatePayload.config", "alternative added: GoogleDriveConnectorConfig"): False,
        ("GoogleDriveConnectorConfig", "schema added"): False,
        ("GoogleDriveConnectorResponseConfig", "schema added"): False,
        ("EmailConnectorConfig.email_hash", "made optional"): False,  # request side: nothing breaks
        ("GET /contents/v1/documents", "operation added"): False,
        ("GET /contents/v1/documents/{content_id}", "operation added"): False,
    }
    assert {key: found.get(key) for key in expected} == expected
    assert len(report.breaking) == 2
    text = spec_diff.render(report)
    assert "BREAKING  Connector.files_count: field removed" in text
    assert "ok        Connector.type: enum value added: 'google_drive'" in text


def _status(report: spec_diff.Report, op: str, path: str) -> str:
    matches = [p.status for p in report.patches if p.op == op and p.path == path]
    assert matches, f"patches.yaml has no `{op} {path}` any more: update this test with the patch that replaced it"
    return matches[0]


def test_next_version_report_judges_our_patches() -> None:
    report = _report()
    schemas = "/components/schemas"
    # The vendor now publishes List connectors (as our patch wrote it) and dropped email_hash from `required`.
    assert _status(report, "add", "/paths/~1contents~1v1~1connectors/get") == patch_status.COVERED
    assert _status(report, "remove", f"{schemas}/EmailConnectorConfig/required") == patch_status.COVERED
    # These would silently throw google_drive away: the vendor changed what they override.
    assert _status(report, "replace", f"{schemas}/ConnectorCreatePayload") == patch_status.CONTRADICTS
    assert _status(report, "replace", f"{schemas}/Connector/properties/type") == patch_status.CONTRADICTS
    # files_count is gone: making it nullable would create a stub field.
    assert _status(report, "merge", f"{schemas}/Connector") == patch_status.NO_LONGER_FITS
    # Patches adding the documents operations (when patches.yaml has them) are covered by the published ones.
    for status in report.patches:
        if status.op == "add" and status.path.startswith("/paths/~1contents~1v1~1documents"):
            assert status.status == patch_status.COVERED, status


def test_spec_diff_command_compares_the_committedupstream_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = make_tree(tmp_path)
    assert vendor(tree, "--spec", str(V1), "--no-report") == 0
    capsys.readouterr()
    openapi = ["--openapi", str(tree / "openapi")]
    assert spec_diff.main(["--spec", str(V2), *openapi]) == 0
    out = capsys.readouterr().out
    assert "BREAKING  ConnectorUpdatePayload.version: field added (required)" in out
    assert "Summary: 2 breaking" in out
    assert "(info.version 1.0.0) -> the new upstream (info.version 1.1.0)" in out
    assert spec_diff.main(["--spec", str(V2), "--fail-on-breaking", *openapi]) == 1
    assert spec_diff.main(["--spec", str(V1), "--fail-on-breaking", *openapi]) == 0
    assert "no change in operations or schemas" in capsys.readouterr().out


def _api(schema: dict[str, Any], *, sent: bool) -> dict[str, Any]:
    """A one-operation spec whose schema S is either sent (request body) or read (response)."""
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}}
    op = {"requestBody": ref, "responses": {"204": {"description": "ok"}}} if sent else {"responses": {"200": ref}}
    return {
        "openapi": "3.1.0",
        "paths": {"/contents/v1/connectors": {"post": op}},
        "components": {"schemas": {"S": schema}},
    }


def _flags(
    old: dict[str, Any], new: dict[str, Any], *, sent: bool, patches: list[dict[str, Any]] | None = None
) -> dict[str, bool]:
    report = spec_diff.compare(_api(old, sent=sent), _api(new, sent=sent), patches or [])
    return {f"{c.where}: {c.what}": c.breaking for c in report.changes}


ENUM = {"type": "object", "properties": {"s": {"type": "string", "enum": ["a"]}}, "required": ["s"]}
ENUM_B = {"type": "object", "properties": {"s": {"type": "string", "enum": ["a", "b"]}}, "required": ["s"]}


def test_breaking_depends_on_the_side_and_on_what_the_sdk_tolerates() -> None:
    assert _flags(ENUM, ENUM_B, sent=False) == {"S.s: enum value added: 'b'": True}  # a strict response model
    assert _flags(ENUM, ENUM_B, sent=True) == {"S.s: enum value added: 'b'": False}
    tolerant = {
        "op": "replace",
        "path": "/components/schemas/S/properties/s",
        "reason": "r",
        "value": {"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "string"}]},
    }
    assert _flags(ENUM, ENUM_B, sent=False, patches=[tolerant]) == {"S.s: enum value added: 'b'": False}
    assert _flags(ENUM_B, ENUM, sent=True) == {"S.s: enum value removed: 'b'": True}
    optional = {**ENUM, "required": []}
    assert _flags(ENUM, optional, sent=False) == {"S.s: made optional": True}
    assert _flags(ENUM, optional, sent=True) == {"S.s: made optional": False}
    assert _flags(optional, ENUM, sent=True) == {"S.s: made required": True}
    nullable = {"type": "object", "properties": {"s": {"type": ["string", "null"], "enum": ["a"]}}, "required": ["s"]}
    assert _flags(ENUM, nullable, sent=False) == {"S.s: now nullable": True}
    assert _flags(ENUM, nullable, sent=True) == {"S.s: now nullable": False}
    integer = {"type": "object", "properties": {"s": {"type": "integer"}}, "required": ["s"]}
    flags = _flags({**integer, "properties": {"s": {"type": "string"}}}, integer, sent=False)
    assert flags == {"S.s: type changed: 'string' -> 'integer'": True}
    described = {**ENUM, "description": "new words"}
    report = spec_diff.compare(_api(ENUM, sent=False), _api(described, sent=False), [])
    assert report.changes == []
    assert report.documentation == ["S"]


def test_inline_body_schemas_are_compared_field_by_field() -> None:
    def spec(required: list[str]) -> dict[str, Any]:
        body = {
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
            "required": required,
        }
        op = {
            "requestBody": {"content": {"application/json": {"schema": body}}},
            "responses": {"204": {"description": "ok"}},
        }
        return {"openapi": "3.1.0", "paths": {"/contents/v1/connectors": {"post": op}}}

    report = spec_diff.compare(spec(["a"]), spec(["a", "b"]), [])
    assert [(c.where, c.what, c.breaking) for c in report.changes] == [
        ("POST /contents/v1/connectors request body.b", "made required", True)
    ]


def test_parameters_are_compared_through_references_and_path_items() -> None:
    def spec(param: dict[str, Any]) -> dict[str, Any]:
        item = {
            "parameters": [{"$ref": "#/components/parameters/Id"}],
            "get": {"parameters": [param], "responses": {"200": {"$ref": "#/components/responses/Ok"}}},
        }
        return {
            "openapi": "3.1.0",
            "paths": {"/contents/v1/connectors/{id}": item},
            "components": {
                "parameters": {"Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}},
                "responses": {"Ok": {"description": "ok"}},
            },
        }

    sort = {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}}
    fewer = {**sort, "schema": {"type": "string", "enum": ["asc"]}, "required": True}
    report = spec_diff.compare(spec(sort), spec(fewer), [])
    assert sorted((c.where, c.what, c.breaking) for c in report.changes) == [
        ("GET /contents/v1/connectors/{id} query parameter sort", "enum value removed: 'desc'", True),
        ("GET /contents/v1/connectors/{id} query parameter sort", "made required", True),
    ]
    renamed = spec(sort)
    renamed["components"]["parameters"]["Id"]["name"] = "connector_id"
    changes = {(c.where, c.what) for c in spec_diff.compare(spec(sort), renamed, []).changes}
    assert ("GET /contents/v1/connectors/{id} path parameter connector_id", "parameter added (required)") in changes
    assert ("GET /contents/v1/connectors/{id} path parameter id", "parameter removed") in changes


@pytest.mark.parametrize(
    ("patch", "new_s", "status"),
    [
        # `nullable: true` (ours, 3.0) and a "null" type (upstream, 3.1) say the same thing.
        (
            {"op": "merge", "path": "/components/schemas/S/properties/n", "value": {"nullable": True}},
            {"properties": {"n": {"type": ["integer", "null"]}}},
            patch_status.COVERED,
        ),
        (
            {"op": "add", "path": "/components/schemas/S/properties/m", "value": {"type": "string"}},
            {"properties": {"n": {"type": "integer"}, "m": {"type": "string", "format": "email"}}},
            patch_status.COVERED,
        ),
        (
            {"op": "replace", "path": "/components/schemas/S/properties/n", "value": {"type": "number"}},
            {"properties": {"n": {"type": "integer", "minimum": 0}}},
            patch_status.CONTRADICTS,
        ),
        (
            {"op": "replace", "path": "/components/schemas/S/properties/n", "value": {"type": "number"}},
            {"properties": {"k": {"type": "integer"}}},
            patch_status.NO_LONGER_FITS,
        ),
        (
            {"op": "merge", "path": "/components/schemas/S/properties/n", "value": {"nullable": True}},
            {"properties": {"n": {"type": "integer"}}, "required": ["n"]},
            patch_status.STILL_NEEDED,
        ),
    ],
)
def test_patch_status(patch: dict[str, Any], new_s: dict[str, Any], status: str) -> None:
    old = _api({"properties": {"n": {"type": "integer"}}}, sent=False)
    statuses = patch_status.classify(old, _api(new_s, sent=False), [{**patch, "reason": "r"}])
    assert statuses[0].status == status, statuses[0]


# ------------------------------------------------------------------------------- generating the next version


def _load_models(path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"next_version_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_next_version_generates_models_that_accept_google_drive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = make_tree(tmp_path, generated=True)
    assert vendor(tree, "--spec", str(V2), "--no-report") == 0
    # What the report asks of a developer: drop the patches upstream now covers; the per-type create payloads
    # and ConnectorType gain google_drive; the `files_count` the vendor removed is no longer made nullable.
    patches_path = tree / "openapi" / "patches.yaml"
    document = yaml.safe_load(patches_path.read_text(encoding="utf-8"))
    statuses = patch_status.classify(filtered(V1), filtered(V2), document["patches"])
    document["patches"] = [
        p for p, s in zip(document["patches"], statuses, strict=True) if s.status != "covered by upstream"
    ]
    patches_path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    effective = build_spec.effective(
        build_spec.load_upstream(tree / "openapi" / "upstream"), build_spec.load_patches(patches_path)
    )
    create, schemas = effective["components"]["schemas"]["ConnectorCreatePayload"], "#/components/schemas/"
    document["patches"] += [
        {
            "op": "merge",
            "path": "/components/schemas/ConnectorType",
            "reason": "the vendor added google_drive (v2)",
            "value": {"enum": [*effective["components"]["schemas"]["ConnectorType"]["enum"], "google_drive"]},
        },
        {
            "op": "merge",
            "path": "/components/schemas",
            "reason": "the create payload of google_drive connectors",
            "value": {
                "GoogleDriveConnectorCreatePayload": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["type", "label", "config"],
                    "properties": {
                        "type": {"type": "string", "enum": ["google_drive"]},
                        "label": {"type": "string"},
                        "config": {"$ref": f"{schemas}GoogleDriveConnectorConfig"},
                    },
                }
            },
        },
        {
            "op": "merge",
            "path": "/components/schemas/ConnectorCreatePayload",
            "reason": "google_drive (v2)",
            "value": {
                "oneOf": [*create["oneOf"], {"$ref": f"{schemas}GoogleDriveConnectorCreatePayload"}],
                "discriminator": {"mapping": {"google_drive": f"{schemas}GoogleDriveConnectorCreatePayload"}},
            },
        },
        {
            "op": "merge",
            "path": "/components/schemas/Connector",
            "reason": "the vendor removed files_count (v2)",
            "value": {"properties": {"files_count": None}},
        },
    ]
    patches_path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    subprocess.run([sys.executable, str(tree / "codegen" / "generate.py")], check=True, timeout=120)

    models = _load_models(tree / "bigdata_connectors" / "_generated" / "models.py", monkeypatch)
    requests = _load_models(tree / "bigdata_connectors" / "_generated" / "request_models.py", monkeypatch)
    payload = requests.ConnectorCreatePayload.model_validate(
        {"type": "google_drive", "label": "Drive", "config": {"folder_id": "1AbC"}}
    )
    assert type(payload.root).__name__ == "GoogleDriveConnectorCreatePayload"
    assert payload.root.config.include_subfolders is False
    connector = models.Connector.model_validate(
        {
            "connector_id": "019a9612-bfad-758c-884e-37dd8c6ad2cb",
            "user_id": "u",
            "org_id": "o",
            "share_with_org": False,
            "label": "Drive",
            "type": "google_drive",
            "config": {"folder_id": "1AbC"},
            "created_at": "2026-02-11T11:01:09Z",
            "updated_at": "2026-02-11T11:01:09Z",
            "archived": False,
            "next_sync_at": "2026-04-08T09:00:00Z",
        }
    )
    assert connector.type == "google_drive"
    assert connector.next_sync_at.year == 2026
    assert "files_count" not in models.Connector.model_fields
    assert models.GoogleDriveConnectorResponseConfig.model_validate(connector.config).folder_id == "1AbC"
    with pytest.raises(ValueError, match="version"):
        requests.ConnectorUpdatePayload.model_validate({"label": "x"})
