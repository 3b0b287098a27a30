"""One schema, before and after, read in OpenAPI terms: fields, requiredness, types, enums, alternatives.

DeepDiff does the structural comparison (order-insensitive, so a reordered ``required`` or ``enum`` is no
change); ``SchemaDiff`` reads each path it reports. Whether a change is breaking depends on where the schema
is used: in what the SDK sends (request), in what it reads (response), or both (see ``spec_diff.schema_roles``).
A response change is judged against the current *effective* spec, the one the SDK users have was generated
from, by JSON Schema validation: e.g. a new enum value is harmless where our patches made the field tolerant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff
from openapi_schema_validator import OAS31Validator

DOC_KEYS = frozenset({"description", "summary", "title", "example", "examples", "externalDocs", "x-codeSamples"})
CONSTRAINTS = frozenset(
    {"minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
    | {"minItems", "maxItems", "uniqueItems", "multipleOf", "const", "readOnly", "writeOnly", "items"}
)
_ABSENT = object()
_UNIONS = ("oneOf", "anyOf", "allOf")


@dataclass(frozen=True)
class Change:
    """One change: ``where`` (schema.field or METHOD route), ``what`` happened, and whether it breaks users."""

    where: str
    what: str
    breaking: bool
    why: str = ""


def _get(node: Any, path: list[Any]) -> Any:
    for key in path:
        if (isinstance(node, dict) and key in node) or (
            isinstance(node, list) and isinstance(key, int) and key < len(node)
        ):
            node = node[key]
        else:
            return _ABSENT
    return node


def _accepts(effective: dict[str, Any], pointer: list[Any], instance: Any) -> bool:
    """Does the current effective spec's schema at ``pointer`` accept ``instance``? False if there is none."""
    if _get(effective, pointer) is _ABSENT:
        return False
    ref = "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in pointer)
    validator = OAS31Validator({"$ref": ref, "components": effective.get("components") or {}})
    return bool(validator.is_valid(instance))


def schema_name(value: Any) -> str:
    if isinstance(value, dict) and "$ref" in value:
        return str(value["$ref"]).rsplit("/", 1)[-1]
    return repr(value) if not isinstance(value, dict) else "an inline schema"


class SchemaDiff:
    """Reads DeepDiff's paths within one schema (or parameter schema) as OpenAPI changes."""

    def __init__(self, label: str, pointer: list[Any], roles: set[str], effective: dict[str, Any]) -> None:
        self.label, self.pointer, self.roles, self.effective = label, pointer, roles, effective
        self.request, self.response = "request" in roles, "response" in roles
        self.changes: list[Change] = []
        self.documentation = False

    def add(self, field_path: list[str], what: str, *, request: bool, response: bool, why: str = "") -> None:
        where = ".".join([self.label, *field_path])
        breaking = (self.request and request) or (self.response and response)
        self.changes.append(Change(where, what, breaking, why if breaking else ""))

    def run(self, old: Any, new: Any) -> list[Change]:
        tree = DeepDiff(old, new, ignore_order=True, view="tree")
        added_fields: set[tuple[str, ...]] = set()
        removed_fields: set[tuple[str, ...]] = set()
        levels = [(kind, level) for kind, levels in tree.items() for level in levels]
        for kind, level in sorted(levels, key=lambda kl: str(kl[1].path(output_format="list"))):
            path = level.path(output_format="list")
            if any(key in DOC_KEYS and (i == 0 or path[i - 1] != "properties") for i, key in enumerate(path)):
                self.documentation = True
                continue
            chain, rest, owner = self._locate(path)
            if not rest and kind in ("dictionary_item_added", "dictionary_item_removed"):
                self._field(kind, chain, owner, old, new)
                (added_fields if kind == "dictionary_item_added" else removed_fields).add(tuple(chain))
            else:
                self._detail(kind, chain, rest, level, owner, added_fields | removed_fields, old, new)
        return self.changes

    @staticmethod
    def _locate(path: list[Any]) -> tuple[list[str], list[Any], list[Any]]:
        """Split a path into field names, the rest, and the path of the object holding the last field."""
        chain: list[str] = []
        i, end, owner = 0, 0, []
        while i < len(path):
            if path[i] == "properties" and i + 1 < len(path):
                owner = path[:i]
                chain.append(str(path[i + 1]))
                i += 2
                end = i
            else:
                i += 1
        return chain, path[end:], owner

    def _field(self, kind: str, chain: list[str], owner: list[Any], old: Any, new: Any) -> None:
        doc = new if kind == "dictionary_item_added" else old
        required = chain[-1] in (_get(doc, [*owner, "required"]) or [])
        flag = "required" if required else "optional"
        if kind == "dictionary_item_added":
            strict = _get(self.effective, [*self.pointer, *owner, "additionalProperties"]) is False
            self.add(
                chain,
                f"field added ({flag})",
                request=required,
                response=strict,
                why="a request without it is refused" if required else "",
            )
        else:
            self.add(
                chain,
                f"field removed (was {flag})",
                request=True,
                response=True,
                why="code that sets or reads it breaks",
            )

    def _detail(
        self,
        kind: str,
        chain: list[str],
        rest: list[Any],
        level: Any,
        owner: list[Any],
        touched: set[tuple[str, ...]],
        old: Any,
        new: Any,
    ) -> None:
        head = rest[0] if rest else None
        added = kind in ("iterable_item_added", "dictionary_item_added")
        if head == "required":
            values = level.t2 if added else level.t1
            for value in values if isinstance(values, list) else [values]:
                field_path = [*chain, str(value)]
                if tuple(field_path) not in touched:
                    if added:
                        self.add(field_path, "made required", request=True, response=False)
                    else:
                        self.add(
                            field_path,
                            "made optional",
                            request=False,
                            response=True,
                            why="the SDK you have requires it in responses",
                        )
        elif "enum" in rest:
            at = rest.index("enum")
            values = (level.t2 if added else level.t1) if len(rest) > at + 1 else None
            if values is None or kind not in ("iterable_item_added", "iterable_item_removed"):
                self.add(
                    chain,
                    f"enum {'introduced' if added else 'dropped' if kind.endswith('removed') else 'changed'}",
                    request=True,
                    response=True,
                )
            elif added:
                pointer = [*self.pointer, *self._schema_path(chain, owner), *rest[:at]]
                tolerant = _accepts(self.effective, pointer, values)
                self.add(
                    chain,
                    f"enum value added: {values!r}",
                    request=False,
                    response=not tolerant,
                    why="" if tolerant else "the SDK you have rejects it in responses",
                )
            else:
                self.add(chain, f"enum value removed: {values!r}", request=True, response=False)
        elif any(k in _UNIONS for k in rest) and kind.startswith("iterable_item"):
            item = level.t2 if added else level.t1
            if item == {"type": "null"}:
                self._nullability(chain, now=added)
            elif added:
                at = rest.index(next(k for k in rest if k in _UNIONS))
                pointer = [*self.pointer, *self._schema_path(chain, owner), *rest[:at]]
                tolerant = _accepts(self.effective, pointer, {"x-not-declared-anywhere": True})
                self.add(chain, f"alternative added: {schema_name(item)}", request=False, response=not tolerant)
            else:
                self.add(chain, f"alternative removed: {schema_name(item)}", request=True, response=True)
        elif "nullable" in rest:
            self._nullability(chain, now=level.t2 is True)
        elif "type" in rest or (rest and rest[-1] in ("format", "$ref")):
            self._type(chain, rest, owner, old, new)
        elif rest and rest[-1] == "additionalProperties":
            self.add(
                chain,
                f"additionalProperties: {level.t1!r} -> {level.t2!r}",
                request=level.t2 is False,
                response=level.t2 is False,
            )
        elif rest and rest[-1] == "default":
            self.add(chain, f"default changed: {level.t1!r} -> {level.t2!r}", request=False, response=False)
        else:
            what = "/".join(str(p) for p in rest) or "schema"
            self.add(
                chain,
                f"{what} changed: {level.t1!r} -> {level.t2!r}"[:160],
                request=True,
                response=True,
                why="a constraint or structure changed; review it",
            )

    def _nullability(self, chain: list[str], *, now: bool) -> None:
        # A response field that may now be null breaks code that reads it; a request field that no longer
        # accepts null breaks callers that send null.
        self.add(chain, "now nullable" if now else "no longer nullable", request=not now, response=now)

    def _type(self, chain: list[str], rest: list[Any], owner: list[Any], old: Any, new: Any) -> None:
        """``type`` (a string or a 3.1 list), ``format`` or ``$ref`` of a field changed."""
        key = "type" if "type" in rest else rest[-1]
        at = [*self._schema_path(chain, owner), *rest[: rest.index(key)], key]
        before, after = _get(old, at), _get(new, at)
        if key == "type":
            kinds = [set(v) if isinstance(v, list) else set() if v is _ABSENT else {v} for v in (before, after)]
            if kinds[0] ^ kinds[1] == {"null"}:
                self._nullability(chain, now="null" in kinds[1])
                return

        def shown(value: Any) -> str:
            return "none" if value is _ABSENT else schema_name({"$ref": value}) if key == "$ref" else repr(value)

        what = "type" if key == "$ref" else key
        self.add(chain, f"{what} changed: {shown(before)} -> {shown(after)}", request=True, response=True)

    @staticmethod
    def _schema_path(chain: list[str], owner: list[Any]) -> list[Any]:
        return [*owner, "properties", chain[-1]] if chain else []
