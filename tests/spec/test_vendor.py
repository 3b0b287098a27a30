"""Vendoring the vendor's spec: the whole published document (file or https URL) or its pages.

The fixtures are described in ``tests/spec/support.py``; every test works in a temporary repository layout.
"""

from __future__ import annotations

import http.server
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
import yaml

from tests.spec.support import (
    PAGES,
    ROOT,
    V1,
    V2,
    WRAPPED_TODAY,
    build_spec,
    filtered,
    make_tree,
    spec_diff,
    spec_source,
    upstream_files,
    vendor,
)

# ------------------------------------------------------------------------------------------ vendoring


def test_full_spec_vendors_to_the_published_connectors_content(tmp_path: Path) -> None:
    spec_tree, pages_tree = make_tree(tmp_path / "spec"), make_tree(tmp_path / "pages")
    assert vendor(spec_tree, "--spec", str(V1), "--no-report") == 0
    assert vendor(pages_tree, "--pages", str(PAGES), "--no-report") == 0

    assert list(upstream_files(spec_tree)) == ["content-api.yaml"]
    vendored = build_spec.load_upstream(spec_tree / "openapi" / "upstream")
    assert set(spec_diff._operations(vendored)) == WRAPPED_TODAY
    assert list(vendored) == ["openapi", "info", "servers", "security", "paths", "components"]  # no `tags`
    assert set(vendored["components"]) == {"schemas", "securitySchemes"}  # ContentId, Error: not ours
    assert not {"Tag", "Upload", "ErrorResponse", "DocumentUploadRequest"} & set(vendored["components"]["schemas"])
    # Same merged spec as the pages, in the same order: the effective spec, so the models, are byte-identical.
    assert vendored == build_spec.load_upstream(pages_tree / "openapi" / "upstream")
    assert build_spec.build(spec_tree / "openapi") == build_spec.build(pages_tree / "openapi")


def test_revendoring_the_same_document_changes_no_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = make_tree(tmp_path)
    assert vendor(tree, "--spec", str(V1)) == 0
    first = upstream_files(tree)
    capsys.readouterr()
    assert vendor(tree, "--spec", str(V1)) == 0
    out = capsys.readouterr().out
    assert "openapi/upstream/ unchanged" in out
    assert "no change in operations or schemas" in out
    assert upstream_files(tree) == first
    assert vendor(tree, "--check", "--spec", str(V1)) == 0
    # The same document as YAML keeps every byte but the digest of the source in the header.
    as_yaml = tmp_path / "content-api.yaml"
    as_yaml.write_text(yaml.safe_dump(json.loads(V1.read_text()), sort_keys=False), encoding="utf-8")
    assert vendor(tree, "--spec", str(as_yaml), "--no-report") == 0
    old, new = first["content-api.yaml"].splitlines(), upstream_files(tree)["content-api.yaml"].splitlines()
    assert [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b] == [2]


def test_pages_stay_a_second_form_and_each_form_replaces_the_other(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    assert vendor(tree, "--spec", str(V1), "--no-report") == 0
    assert vendor(tree, "--pages", str(PAGES), "--no-report") == 0
    files = upstream_files(tree)
    # Pages 001 and 003 are rendered HTML: no YAML block, nothing vendored from them.
    assert sorted(files) == ["000_61c5a3a325f8fa33.yaml", "002_551c795650d0a2ec.yaml", "004_0e423c6c8fb2f15b.yaml"]
    for name, text in files.items():
        assert text == spec_source.extract((PAGES / name.replace(".yaml", ".txt")).read_text(encoding="utf-8"))
    assert vendor(tree, "--check", "--pages", str(PAGES)) == 0
    assert vendor(tree, "--check", "--spec", str(V1)) == 1
    assert vendor(tree, "--spec", str(V1), "--no-report") == 0
    assert list(upstream_files(tree)) == ["content-api.yaml"]


def test_nothing_is_read_unless_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = make_tree(tmp_path)
    before = upstream_files(tree)
    assert vendor(tree) == 1
    assert "--spec FILE_OR_HTTPS_URL" in capsys.readouterr().err
    assert upstream_files(tree) == before


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
    tree = make_tree(tmp_path)
    assert vendor(tree, "--spec", source) == 1
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
    by_url, by_file = make_tree(tmp_path / "url"), make_tree(tmp_path / "file")
    assert vendor(by_url, "--spec", f"{https_spec}/api-rest/openapi/openapi_content_data.json", "--no-report") == 0
    assert vendor(by_file, "--spec", str(V1), "--no-report") == 0
    assert upstream_files(by_url) == upstream_files(by_file)
    assert vendor(by_url, "--spec", f"{https_spec}/missing.json") == 1
    assert "HTTP 404" in capsys.readouterr().err
    monkeypatch.delenv("SSL_CERT_FILE")  # a certificate nobody vouches for is refused, with a hint
    assert vendor(by_url, "--spec", f"{https_spec}/api-rest/openapi/openapi_content_data.json") == 1
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
    doc = filtered(V2)
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
