"""The spec pipeline: drift detection, upstream fidelity, patch mechanics."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "codegen"))
import build_spec

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what generation reads and writes, to break on purpose."""
    for part in ("openapi", "codegen", "bigdata_connectors/_generated"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _check(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(tree / "codegen" / "generate.py"), "--check"], capture_output=True, text=True, timeout=120
    )


def test_changed_upstream_description_without_regenerating_fails(tree: Path) -> None:
    # Whichever form openapi/upstream/ holds (the vendor's spec, filtered, or one file per page).
    page = next(
        p for p in sorted((tree / "openapi" / "upstream").glob("*.yaml")) if "ConnectorSyncResponse:" in p.read_text()
    )
    doc = yaml.safe_load(page.read_text())
    doc["components"]["schemas"]["ConnectorSyncResponse"]["description"] = "The sync was queued."
    page.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = _check(tree)
    assert result.returncode == 1
    assert "models.py differs" in result.stderr
    assert "openapi/connectors.yaml differs" in result.stderr


def test_new_file_in_generated_fails(tree: Path) -> None:
    (tree / "bigdata_connectors" / "_generated" / "extra.py").write_text("x = 1\n")
    result = _check(tree)
    assert result.returncode == 1
    assert "unexpected file bigdata_connectors/_generated/extra.py" in result.stderr


def test_every_patch_states_a_reason() -> None:
    patches = yaml.safe_load((ROOT / "openapi" / "patches.yaml").read_text())["patches"]
    assert patches
    assert all(len(p["reason"].split()) >= 5 for p in patches)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"op": "replace", "path": "/a/missing", "value": 1, "reason": "r"}, "not present upstream"),
        ({"op": "add", "path": "/a/b", "value": 1, "reason": "r"}, "already present upstream"),
        ({"op": "remove", "path": "/a/zz", "reason": "r"}, "not present upstream"),
        ({"op": "add", "path": "/a/c", "value": 1}, "states no reason"),
        ({"op": "move", "path": "/a/b", "reason": "r"}, "unknown patch op"),
    ],
)
def test_patches_that_do_not_fit_fail_loudly(patch: dict[str, Any], message: str) -> None:
    with pytest.raises(build_spec.SpecError, match=message):
        build_spec.apply_patch({"a": {"b": 1}}, patch)


def test_merge_patch_and_nullable_rewrite() -> None:
    doc: dict[str, Any] = {"a": {"b": 1, "c": 2}}
    build_spec.apply_patch(doc, {"op": "merge", "path": "/a", "value": {"b": None, "d": {"e": 3}}, "reason": "r"})
    assert doc == {"a": {"c": 2, "d": {"e": 3}}}
    node = build_spec.to_31_nullable(
        {
            "x": {"type": "string", "nullable": True},
            "y": {"nullable": True, "$ref": "#/r"},
            "z": {"nullable": True, "oneOf": [{"type": "integer"}]},
        }
    )
    assert node == {
        "x": {"type": ["string", "null"]},
        "y": {"anyOf": [{"$ref": "#/r"}, {"type": "null"}]},
        "z": {"oneOf": [{"type": "integer"}, {"type": "null"}]},
    }


def test_conflicting_upstream_files_stop_the_build() -> None:
    one = {"openapi": "3.1.0", "components": {"schemas": {"X": {"type": "string"}}}}
    two = {"openapi": "3.1.0", "components": {"schemas": {"X": {"type": "integer"}}}}
    with pytest.raises(build_spec.SpecError, match="differs"):
        build_spec._merge_upstream([("one", one), ("two", two)])


# ------------------------------------------------------------------------ answers and request bodies apart

sys.path.insert(0, str(ROOT / "codegen"))
import generate  # noqa: E402


def _api(schemas: dict[str, Any], body: str, answer: str) -> dict[str, Any]:
    ref = "#/components/schemas/"
    operation = {
        "requestBody": {"content": {"application/json": {"schema": {"$ref": ref + body}}}},
        "responses": {
            "200": {"content": {"application/json": {"schema": {"$ref": ref + answer}}}},
            "404": {"$ref": "#/components/responses/NotFound"},
        },
    }
    return {
        "paths": {"/things": {"post": operation, "parameters": []}},
        "components": {
            "schemas": schemas,
            "responses": {"NotFound": {"content": {"application/json": {"schema": {"$ref": ref + "Error"}}}}},
        },
    }


def test_request_bodies_and_answers_are_generated_apart() -> None:
    ref = "#/components/schemas/"
    schemas = {
        "Create": {"properties": {"config": {"oneOf": [{"$ref": ref + "Secret"}]}}},
        "Secret": {"properties": {"password": {"type": "string", "format": "password"}}},
        "Thing": {"properties": {"config": {"$ref": ref + "ThingConfig"}}},
        "ThingConfig": {"type": "object"},
        "Error": {"type": "object"},
        "Unused": {"type": "object"},
    }
    answers, bodies = generate.split_schemas(_api(schemas, "Create", "Thing"))
    assert bodies == {"Create", "Secret"}  # followed through oneOf
    assert answers == {"Thing", "ThingConfig", "Error", "Unused"}  # through components/responses; unused ones too


def test_a_discriminator_mapping_counts_as_a_reference() -> None:
    ref = "#/components/schemas/"
    schemas = {
        "Create": {"discriminator": {"propertyName": "type", "mapping": {"a": ref + "CreateA"}}},
        "CreateA": {"type": "object"},
        "Thing": {"type": "object"},
        "Error": {"type": "object"},
    }
    answers, bodies = generate.split_schemas(_api(schemas, "Create", "Thing"))
    assert bodies == {"Create", "CreateA"}
    assert answers == {"Thing", "Error"}


def test_an_unused_schema_pointing_at_a_request_body_stops_generation() -> None:
    ref = "#/components/schemas/"
    schemas = {
        "Create": {"type": "object"},
        "Thing": {"type": "object"},
        "Error": {"type": "object"},
        "Orphan": {"properties": {"body": {"$ref": ref + "Create"}}},
    }
    with pytest.raises(build_spec.SpecError, match=r"no answer uses refers to request-only ones \(Create\)"):
        generate.split_schemas(_api(schemas, "Create", "Thing"))


def test_no_generated_field_hides_an_imported_name() -> None:
    """Without string annotations, a field named like a type the module imports (``date: date``) would replace
    that type for every annotation after it in the class body."""
    from bigdata_connectors._generated import models, request_models

    for module in (models, request_models):
        imported = {name for name, value in vars(module).items() if getattr(value, "__module__", "") != module.__name__}
        for cls in vars(module).values():
            if isinstance(cls, type) and issubclass(cls, BaseModel) and cls.__module__ == module.__name__:
                assert not set(cls.model_fields) & imported, cls


def test_a_schema_both_sent_and_read_stops_generation() -> None:
    ref = "#/components/schemas/"
    schemas = {
        "Create": {"properties": {"tag": {"$ref": ref + "Tag"}}},
        "Thing": {"properties": {"tags": {"type": "array", "items": {"$ref": ref + "Tag"}}}},
        "Tag": {"type": "object"},
        "Error": {"type": "object"},
    }
    with pytest.raises(build_spec.SpecError, match="both a request body and an answer: Tag"):
        generate.split_schemas(_api(schemas, "Create", "Thing"))


def test_the_committed_split_matches_the_spec() -> None:
    from bigdata_connectors._generated import models, request_models

    spec = yaml.safe_load((ROOT / "openapi" / "connectors.yaml").read_text())
    answers, bodies = generate.split_schemas(spec)
    assert "Connector" in answers
    assert "ConnectorCreatePayload" in bodies
    assert all(hasattr(request_models, name) for name in bodies)
    assert not any(hasattr(models, name) for name in bodies)
    assert "SecretStr" not in vars(models)
    assert "RootModel" not in vars(models)
