"""Vendoring the vendor's spec (whole document or pages) and the change report, on in-repo fixtures.

``tests/fixtures/vendor/`` holds the vendor's documentation pages (verbatim) and two full Content API documents
built around the connectors operations as published: ``content-api-v1.json`` (today's content, plus tags,
uploads and document-upload operations the SDK does not wrap) and ``content-api-v2.json`` (a next version: a
``google_drive`` type, a new response field, a removed optional field, a new required request field, the
documents operations, the vendor fixing what two of our patches fix). Everything runs in a temporary copy of the
repository layout; the committed ``openapi/upstream/`` is never touched.
"""

from __future__ import annotations

import http.server
import importlib.util
import json
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import trustme
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "codegen"))
import build_spec
import patch_status
import spec_diff
import spec_source
import vendor_upstream

ROOT = Path(__file__).resolve().parent.parent

FIXTURES = ROOT / "tests" / "fixtures" / "vendor"
V1, V2, PAGES = FIXTURES / "content-api-v1.json", FIXTURES / "content-api-v2.json", FIXTURES / "pages"
WRAPPED_TODAY = {
    "POST /contents/v1/connectors",
    "PUT /contents/v1/connectors/{connector_id}",
    "POST /contents/v1/connectors/{connector_id}/sync",
}


def _tree(tmp_path: Path, *, generated: bool = False) -> Path:
    parts = ["openapi", "codegen"] + (["bigdata_connectors/_generated"] if generated else [])
    for part in parts:
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _vendor(tree: Path, *args: str) -> int:
    return vendor_upstream.main([*args, "--openapi", str(tree / "openapi")])


def _upstream(tree: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((tree / "openapi" / "upstream").glob("*.yaml"))}


def _filtered(path: Path) -> dict[str, Any]:
    return spec_source.select(spec_source.parse_document(path.read_bytes(), path.name))


# ------------------------------------------------------------------------------------------ vendoring


def test_full_spec_vendors_to_the_published_connectors_content(tmp_path: Path) -> None:
    spec_tree, pages_tree = _tree(tmp_path / "spec"), _tree(tmp_path / "pages")
    assert _vendor(spec_tree, "--spec", str(V1), "--no-report") == 0
    assert _vendor(pages_tree, "--pages", str(PAGES), "--no-report") == 0

    assert list(_upstream(spec_tree)) == ["content-api.yaml"]
    vendored = build_spec.load_upstream(spec_tree / "openapi" / "upstream")
    assert set(spec_diff._operations(vendored)) == WRAPPED_TODAY
    assert list(vendored) == ["openapi", "info", "servers", "security", "paths", "components"]  # no `tags`
    assert set(vendored["components"]) == {"schemas", "securitySchemes"}  # ContentId, Error: not ours
    assert not {"Tag", "Upload", "ErrorResponse", "DocumentUploadRequest"} & set(vendored["components"]["schemas"])
    # Same merged spec as the pages, in the same order: the effective spec, so the models, are byte-identical.
    assert vendored == build_spec.load_upstream(pages_tree / "openapi" / "upstream")
    assert build_spec.build(spec_tree / "openapi") == build_spec.build(pages_tree / "openapi")


def test_revendoring_the_same_document_changes_no_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = _tree(tmp_path)
    assert _vendor(tree, "--spec", str(V1)) == 0
    first = _upstream(tree)
    capsys.readouterr()
    assert _vendor(tree, "--spec", str(V1)) == 0
    out = capsys.readouterr().out
    assert "openapi/upstream/ unchanged" in out
    assert "no change in operations or schemas" in out
    assert _upstream(tree) == first
    assert _vendor(tree, "--check", "--spec", str(V1)) == 0
    # The same document as YAML keeps every byte but the digest of the source in the header.
    as_yaml = tmp_path / "content-api.yaml"
    as_yaml.write_text(yaml.safe_dump(json.loads(V1.read_text()), sort_keys=False), encoding="utf-8")
    assert _vendor(tree, "--spec", str(as_yaml), "--no-report") == 0
    old, new = first["content-api.yaml"].splitlines(), _upstream(tree)["content-api.yaml"].splitlines()
    assert [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b] == [2]


def test_pages_stay_a_second_form_and_each_form_replaces_the_other(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    assert _vendor(tree, "--spec", str(V1), "--no-report") == 0
    assert _vendor(tree, "--pages", str(PAGES), "--no-report") == 0
    files = _upstream(tree)
    # Pages 001 and 003 are rendered HTML: no YAML block, nothing vendored from them.
    assert sorted(files) == ["000_61c5a3a325f8fa33.yaml", "002_551c795650d0a2ec.yaml", "004_0e423c6c8fb2f15b.yaml"]
    for name, text in files.items():
        assert text == spec_source.extract((PAGES / name.replace(".yaml", ".txt")).read_text(encoding="utf-8"))
    assert _vendor(tree, "--check", "--pages", str(PAGES)) == 0
    assert _vendor(tree, "--check", "--spec", str(V1)) == 1
    assert _vendor(tree, "--spec", str(V1), "--no-report") == 0
    assert list(_upstream(tree)) == ["content-api.yaml"]


def test_nothing_is_read_unless_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = _tree(tmp_path)
    before = _upstream(tree)
    assert _vendor(tree) == 1
    assert "--spec FILE_OR_HTTPS_URL" in capsys.readouterr().err
    assert _upstream(tree) == before


def test_no_codegen_step_names_a_folder_outside_the_repository() -> None:
    # `make vendor` used to default to ../shared/reference/api-docs, which exists beside our checkout only.
    for path in [ROOT / "Makefile", *sorted((ROOT / "codegen").glob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text, path
        assert "ROOT.parent" not in text, path
        assert "shared/reference" not in text, path


@pytest.mark.parametrize(
    ("source", "message"),
    [
        # Nothing listens on port 1: what a machine without network access sees, on loopback.
        ("https://127.0.0.1:1/api-rest/openapi/openapi_content_data.json", "Without network access, download"),
        ("http://docs.example/openapi.json", "only https:// URLs or local files"),
        ("no/such/openapi.json", "no such file"),
    ],
)
def test_unreadable_sources_fail_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, message: str
) -> None:
    tree = _tree(tmp_path)
    assert _vendor(tree, "--spec", source) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.fixture
def https_spec(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """The v1 document served over real TLS on loopback, by a server whose private CA this process trusts."""
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    body = V1.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/api-rest/openapi/openapi_content_data.json"
            self.send_response(200 if found else 404)
            self.send_header("Content-Length", str(len(body) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_url_is_downloaded_over_verified_tls(
    tmp_path: Path, https_spec: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    by_url, by_file = _tree(tmp_path / "url"), _tree(tmp_path / "file")
    assert _vendor(by_url, "--spec", f"{https_spec}/api-rest/openapi/openapi_content_data.json", "--no-report") == 0
    assert _vendor(by_file, "--spec", str(V1), "--no-report") == 0
    assert _upstream(by_url) == _upstream(by_file)
    assert _vendor(by_url, "--spec", f"{https_spec}/missing.json") == 1
    assert "HTTP 404" in capsys.readouterr().err
    monkeypatch.delenv("SSL_CERT_FILE")  # a certificate nobody vouches for is refused, with a hint
    assert _vendor(by_url, "--spec", f"{https_spec}/api-rest/openapi/openapi_content_data.json") == 1
    assert "point SSL_CERT_FILE at your CA bundle" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"openapi": "3.1.0", "paths": {"/contents/v1/tags": {"get": {}}}}, "no /contents/v1/connectors operation"),
        (
            {"openapi": "3.1.0", "paths": {"/contents/v1/connectors": {"get": {"$ref": "#/components/schemas/X"}}}},
            "#/components/schemas/X is referenced but not defined",
        ),
        (
            {"openapi": "3.1.0", "paths": {"/contents/v1/connectors": {"get": {"$ref": "other.yaml#/X"}}}},
            "vendor a bundled",
        ),
        ({"swagger": "2.0", "paths": {}}, "not an OpenAPI document"),
    ],
)
def test_documents_that_cannot_be_vendored_say_why(tmp_path: Path, doc: dict[str, Any], message: str) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(spec_source.SourceError, match=message):
        spec_source.from_spec(str(path))


def test_selection_follows_references_transitively_and_keeps_only_wrapped_methods() -> None:
    doc = _filtered(V2)
    assert set(spec_diff._operations(doc)) == WRAPPED_TODAY | {
        "GET /contents/v1/connectors",
        "GET /contents/v1/documents",
        "GET /contents/v1/documents/{content_id}",
    }
    schemas = doc["components"]["schemas"]
    assert {"Document", "DocumentTag", "DocumentList", "GoogleDriveConnectorResponseConfig"} <= set(schemas)
    assert not {"DocumentUploadRequest", "DocumentDeleteResponse", "Tag", "Upload"} & set(schemas)
    # The path-level parameter of /documents/{content_id} is kept with the GET, the DELETE is not.
    assert set(doc["paths"]["/contents/v1/documents/{content_id}"]) == {"parameters", "get"}
    assert "ContentId" in doc["components"]["parameters"]


# -------------------------------------------------------------------------------------- change report


def _report() -> spec_diff.Report:
    return spec_diff.compare(_filtered(V1), _filtered(V2), build_spec.load_patches())


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


def test_spec_diff_command_compares_the_committed_upstream(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = _tree(tmp_path)
    assert _vendor(tree, "--spec", str(V1), "--no-report") == 0
    capsys.readouterr()
    openapi = ["--openapi", str(tree / "openapi")]
    assert spec_diff.main(["--spec", str(V2), *openapi]) == 0
    out = capsys.readouterr().out
    assert "BREAKING  ConnectorUpdatePayload.version: field added (required)" in out
    assert "Summary: 2 breaking" in out
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
    spec = importlib.util.spec_from_file_location("next_version_models", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_next_version_generates_models_that_accept_google_drive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = _tree(tmp_path, generated=True)
    assert _vendor(tree, "--spec", str(V2), "--no-report") == 0
    # What the report asks of a developer: drop the patches upstream now covers; the per-type create payloads
    # and ConnectorType gain google_drive; the `files_count` the vendor removed is no longer made nullable.
    patches_path = tree / "openapi" / "patches.yaml"
    document = yaml.safe_load(patches_path.read_text(encoding="utf-8"))
    statuses = patch_status.classify(_filtered(V1), _filtered(V2), document["patches"])
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
    payload = models.ConnectorCreatePayload.model_validate(
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
        models.ConnectorUpdatePayload.model_validate({"label": "x"})
