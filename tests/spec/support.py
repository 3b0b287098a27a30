"""Shared by tests/spec/test_vendor.py and tests/spec/test_spec_diff.py: the fixtures and a temporary repository layout.

``tests/fixtures/vendor/`` holds the vendor's documentation pages (verbatim) and two full Content API documents
built around the connectors operations as published: ``content-api-v1.json`` (today's content, plus tags,
uploads and document-upload operations the SDK does not wrap) and ``content-api-v2.json`` (a next version: a
``google_drive`` type, a new response field, a removed optional field, a new required request field, the
documents operations, the vendor fixing what two of our patches fix). Everything runs in a temporary copy of the
repository layout; the committed ``openapi/upstream/`` is never touched.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "codegen"))
import build_spec
import patch_status
import spec_diff
import spec_source
import vendor_upstream

__all__ = [
    "FIXTURES",
    "PAGES",
    "ROOT",
    "V1",
    "V2",
    "WRAPPED_TODAY",
    "build_spec",
    "filtered",
    "make_tree",
    "patch_status",
    "spec_diff",
    "spec_source",
    "upstream_files",
    "vendor",
]

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "vendor"
V1, V2, PAGES = FIXTURES / "content-api-v1.json", FIXTURES / "content-api-v2.json", FIXTURES / "pages"
WRAPPED_TODAY = {
    "POST /contents/v1/connectors",
    "PUT /contents/v1/connectors/{connector_id}",
    "POST /contents/v1/connectors/{connector_id}/sync",
}


def make_tree(tmp_path: Path, *, generated: bool = False) -> Path:
    """A copy of what vendoring and generation read and write (and, on request, the generated package)."""
    parts = ["openapi", "codegen"] + (["bigdata_connectors/_generated"] if generated else [])
    for part in parts:
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def vendor(tree: Path, *args: str) -> int:
    """``codegen/vendor_upstream.py`` on ``tree``'s openapi/ folder; its exit code."""
    return vendor_upstream.main([*args, "--openapi", str(tree / "openapi")])


def upstream_files(tree: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((tree / "openapi" / "upstream").glob("*.yaml"))}


def filtered(path: Path) -> dict[str, Any]:
    """The part of the document at ``path`` that vendoring keeps."""
    return spec_source.select(spec_source.parse_document(path.read_bytes(), path.name))
