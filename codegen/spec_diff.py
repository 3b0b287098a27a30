"""What changed between two versions of the upstream spec, in OpenAPI terms, and does it break us?

``spec_diff.py --spec FILE_OR_HTTPS_URL`` (``make spec-diff SPEC=...``) or ``--pages DIR`` compares the committed
``openapi/upstream/`` with what vendoring that source would write, and prints:

- operations added or removed (of those this SDK wraps, see ``spec_source.WRAPPED``), and parameter changes;
- per schema: fields added, removed, made required or optional, type / format / nullability changed, enum values
  and union alternatives added or removed, schemas added or removed;
- what the new upstream means for each of our patches (``patch_status.py``).

Each change is marked breaking or not **for users of this SDK**: would the SDK they have now, or code written
against it, fail? The structural comparison is DeepDiff's; this module only reads its paths in OpenAPI terms.
Whether a response change is tolerated is decided against the *current effective spec* (upstream + patches),
by JSON Schema validation, so a patch that made a response tolerant counts. ``--fail-on-breaking`` exits 1
when anything is breaking (for CI jobs that watch the vendor).
"""

from __future__ import annotations

import argparse
import copy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepdiff import DeepDiff

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_spec
import patch_status
import spec_source
from schema_diff import Change, SchemaDiff, schema_name


@dataclass
class Report:
    changes: list[Change] = field(default_factory=list)
    patches: list[patch_status.PatchStatus] = field(default_factory=list)
    documentation: list[str] = field(default_factory=list)  # schemas/operations whose texts changed
    versions: tuple[str, str] = ("?", "?")  # info.version of the current and the new upstream

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]


# --------------------------------------------------------------------------------------------- helpers


def _operations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {route}": op
        for route, item in (doc.get("paths") or {}).items()
        for method, op in item.items()
        if method in spec_source.HTTP_METHODS
    }


def _reachable(doc: dict[str, Any], roots: Any) -> set[str]:
    """Names of the schemas ``roots`` reference, transitively (through any component section)."""
    components, seen, names = doc.get("components") or {}, set(), set()
    pending = list(spec_source.refs(roots))
    while pending:
        ref = pending.pop()
        if ref in seen or not ref.startswith("#/components/"):
            continue
        seen.add(ref)
        section, name = spec_source.component_of(ref)
        if section == "schemas":
            names.add(name)
        pending.extend(spec_source.refs((components.get(section) or {}).get(name)))
    return names


def schema_roles(doc: dict[str, Any]) -> dict[str, set[str]]:
    """Schema name -> {"request", "response"}: what the SDK sends it in, and what it reads it from."""
    roles: dict[str, set[str]] = {}
    for op in _operations(doc).values():
        sent = _reachable(doc, [op.get("parameters"), op.get("requestBody")])
        read = _reachable(doc, op.get("responses"))
        for name in sent:
            roles.setdefault(name, set()).add("request")
        for name in read:
            roles.setdefault(name, set()).add("response")
    return roles


# --------------------------------------------------------------------------------------------- compare


def _effective(upstream: dict[str, Any], patches: list[dict[str, Any]]) -> dict[str, Any]:
    """The effective spec, applying the patches that fit (for judging what the SDK you have tolerates)."""
    doc = {"paths": {}, "components": {}, **copy.deepcopy(upstream)}
    for patch in patches:
        try:
            build_spec.apply_patch(doc, patch)
        except (build_spec.SpecError, KeyError, TypeError):
            continue
    return build_spec.to_31_nullable(doc)  # type: ignore[no-any-return]


def _operation_changes(old: dict[str, Any], new: dict[str, Any], report: Report, effective: dict[str, Any]) -> None:
    before, after = _operations(old), _operations(new)
    for name in sorted(after.keys() - before.keys()):
        report.changes.append(Change(name, "operation added", False, "not wrapped by the SDK yet"))
    for name in sorted(before.keys() - after.keys()):
        report.changes.append(Change(name, "operation removed", True, "the SDK calls it"))
    for name in sorted(before.keys() & after.keys()):
        params_old, params_new = _parameters(old, name), _parameters(new, name)
        for key in sorted(params_new.keys() - params_old.keys(), key=str):
            required = bool(params_new[key].get("required"))
            report.changes.append(
                Change(
                    f"{name} {key[0]} parameter {key[1]}",
                    f"parameter added ({'required' if required else 'optional'})",
                    required,
                )
            )
        for key in sorted(params_old.keys() - params_new.keys(), key=str):
            report.changes.append(Change(f"{name} {key[0]} parameter {key[1]}", "parameter removed", True))
        for key in sorted(params_old.keys() & params_new.keys(), key=str):
            p_old, p_new = params_old[key], params_new[key]
            if not p_old.get("required") and p_new.get("required"):
                report.changes.append(Change(f"{name} {key[0]} parameter {key[1]}", "made required", True))
            diff = SchemaDiff(f"{name} {key[0]} parameter {key[1]}", [], {"request"}, effective)
            report.changes += diff.run(p_old.get("schema") or {}, p_new.get("schema") or {})
        resolved_old, resolved_new = _resolved_operation(old, before[name]), _resolved_operation(new, after[name])
        report.changes += _body_changes(name, resolved_old, resolved_new)
        report.changes += _inline_changes(name, resolved_old, resolved_new, effective)
        if before[name] != after[name] and not DeepDiff(before[name], after[name], exclude_regex_paths=[_DOC_PATH]):
            report.documentation.append(name)


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    """``node``, or what its local ``$ref`` points to (followed until it is not a reference)."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        seen.add(node["$ref"])
        section, name = spec_source.component_of(node["$ref"])
        node = ((doc.get("components") or {}).get(section) or {}).get(name, node)
    return node


def _resolved_operation(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    """The operation with its request body and responses resolved (``#/components/responses/...``)."""
    responses = {code: _resolve(doc, r) for code, r in (op.get("responses") or {}).items()}
    return {**op, "requestBody": _resolve(doc, op.get("requestBody")), "responses": responses}


def _parameters(doc: dict[str, Any], name: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(in, name) -> parameter of one operation: the path item's, overridden by the operation's, refs resolved."""
    method, route = name.split(" ", 1)
    item = doc["paths"][route]
    found = {}
    for raw in [*(item.get("parameters") or []), *(item[method.lower()].get("parameters") or [])]:
        param = _resolve(doc, raw)
        if isinstance(param, dict) and "name" in param:
            found[(str(param.get("in")), str(param["name"]))] = param
    return found


_DOC_PATH = r"\['(description|summary|title|example|examples)'\]"


def _schemas_of(content: Any) -> list[str]:
    """The schema names (or "inline") of a request body's or response's media types."""
    media = (content or {}).get("content") or {}
    return sorted(schema_name(m.get("schema")) for m in media.values() if isinstance(m, dict) and "schema" in m)


def _inline(content: Any) -> dict[str, Any]:
    """Media type -> schema, for the schemas written inline (a ``$ref`` is compared as a component)."""
    media = (content or {}).get("content") or {}
    return {
        k: m["schema"] for k, m in media.items() if isinstance(m, dict) and "$ref" not in m.get("schema", {"$ref": 0})
    }


def _inline_changes(
    name: str, before: dict[str, Any], after: dict[str, Any], effective: dict[str, Any]
) -> list[Change]:
    """Field-level changes of request and success-response bodies whose schema is written inline."""
    pairs = [("request body", {"request"}, before.get("requestBody"), after.get("requestBody"))]
    responses_old, responses_new = before.get("responses") or {}, after.get("responses") or {}
    pairs += [
        (f"response {code}", {"response"}, responses_old[code], responses_new[code])
        for code in sorted(responses_old.keys() & responses_new.keys())
        if str(code).startswith("2")
    ]
    changes = []
    for label, roles, old_body, new_body in pairs:
        old_media, new_media = _inline(old_body), _inline(new_body)
        for media in sorted(old_media.keys() & new_media.keys()):
            # No pointer into the effective spec: a response change here is judged as if the model were strict.
            diff = SchemaDiff(f"{name} {label}", ["x-inline"], roles, effective)
            changes += diff.run(old_media[media], new_media[media])
    return changes


def _body_changes(name: str, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    changes = []
    body_old, body_new = before.get("requestBody") or {}, after.get("requestBody") or {}
    if _schemas_of(body_old) != _schemas_of(body_new):
        shown = f"{', '.join(_schemas_of(body_old)) or 'none'} -> {', '.join(_schemas_of(body_new)) or 'none'}"
        changes.append(Change(name, f"request body schema changed: {shown}", True))
    if bool(body_old.get("required")) != bool(body_new.get("required")):
        now = bool(body_new.get("required"))
        changes.append(Change(name, f"request body {'now' if now else 'no longer'} required", now))
    codes_old, codes_new = before.get("responses") or {}, after.get("responses") or {}
    for code in sorted(codes_old.keys() - codes_new.keys()):
        success = str(code).startswith("2")
        changes.append(
            Change(f"{name} -> {code}", "response removed", success, "the SDK expects it" if success else "")
        )
    for code in sorted(codes_new.keys() - codes_old.keys()):
        success = str(code).startswith("2")
        changes.append(
            Change(
                f"{name} -> {code}",
                "response added",
                success,
                "the SDK you have may not expect it" if success else "",
            )
        )
    for code in sorted(codes_old.keys() & codes_new.keys()):
        old_schemas, new_schemas = _schemas_of(codes_old[code]), _schemas_of(codes_new[code])
        if old_schemas != new_schemas and "$ref" not in codes_new[code]:
            shown = f"{', '.join(old_schemas) or 'none'} -> {', '.join(new_schemas) or 'none'}"
            changes.append(Change(f"{name} -> {code}", f"response schema changed: {shown}", str(code).startswith("2")))
    return changes


def _version(doc: dict[str, Any]) -> str:
    return str((doc.get("info") or {}).get("version", "?"))


def compare(old: dict[str, Any], new: dict[str, Any], patches: list[dict[str, Any]]) -> Report:
    """The change report from upstream ``old`` to upstream ``new`` (both as merged by build_spec)."""
    report = Report(versions=(_version(old), _version(new)))
    effective = _effective(old, patches) if old else {}
    _operation_changes(old, new, report, effective)
    schemas_old = (old.get("components") or {}).get("schemas") or {}
    schemas_new = (new.get("components") or {}).get("schemas") or {}
    roles_old, roles_new = schema_roles(old), schema_roles(new)
    for name in [n for n in schemas_new if n not in schemas_old]:
        report.changes.append(Change(name, "schema added", False))
    for name in [n for n in schemas_old if n not in schemas_new]:
        report.changes.append(Change(name, "schema removed", True, "its model disappears"))
    for name in [n for n in schemas_new if n in schemas_old]:
        roles = roles_old.get(name, set()) | roles_new.get(name, set())
        diff = SchemaDiff(name, ["components", "schemas", name], roles, effective)
        report.changes += diff.run(schemas_old[name], schemas_new[name])
        if diff.documentation:
            report.documentation.append(name)
    report.patches = patch_status.classify(old, new, patches)
    return report


def render(report: Report) -> str:
    """The report as text: every change with its flag, then the patches that need a decision."""
    old, new = report.versions
    lines = [f"Change report: openapi/upstream/ (info.version {old}) -> the new upstream (info.version {new})"]
    if not report.changes:
        lines.append("  no change in operations or schemas")
    for change in report.changes:
        flag = "BREAKING" if change.breaking else "ok      "
        why = f"  ({change.why})" if change.why else ""
        lines.append(f"  {flag}  {change.where}: {change.what}{why}")
    if report.documentation:
        lines.append("  texts only (descriptions, examples): " + ", ".join(sorted(set(report.documentation))))
    lines.append("Patches (openapi/patches.yaml):")
    needing = [p for p in report.patches if p.status != patch_status.STILL_NEEDED]
    for status in needing:
        lines.append(f"  {status.status:<22} #{status.index} {status.op} {status.path}: {status.detail}")
    still = len(report.patches) - len(needing)
    lines.append(f"  {still} patch(es) still apply as before")
    lines.append(
        f"Summary: {len(report.breaking)} breaking, {len(report.changes) - len(report.breaking)} not breaking; "
        f"{len(needing)} patch(es) need a decision"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", help="the vendor's OpenAPI document: a file (JSON or YAML) or an https:// URL")
    parser.add_argument("--pages", type=Path, help="a folder of the vendor's documentation pages (*.txt)")
    parser.add_argument("--fail-on-breaking", action="store_true", help="exit 1 if any change is breaking")
    parser.add_argument("--openapi", type=Path, default=build_spec.OPENAPI, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if (args.spec is None) == (args.pages is None):
            raise spec_source.SourceError("name the new spec: --spec FILE_OR_HTTPS_URL or --pages DIR")
        files = spec_source.from_spec(args.spec) if args.spec else spec_source.from_pages(args.pages)
        old = build_spec.load_upstream(args.openapi / "upstream")
        new = build_spec._merge_upstream(spec_source.parse_files(files))
        report = compare(old, new, build_spec.load_patches(args.openapi / "patches.yaml"))
    except (spec_source.SourceError, build_spec.SpecError) as err:
        print(f"spec-diff: {err}", file=sys.stderr)
        return 1
    print(render(report))
    return 1 if args.fail_on_breaking and report.breaking else 0


if __name__ == "__main__":
    sys.exit(main())
