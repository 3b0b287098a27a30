"""Read the vendor's spec, in either form, and keep only what this SDK wraps.

Two forms reach ``openapi/upstream/``:

- **the published OpenAPI document** (JSON or YAML, a file or an ``https://`` URL): the whole Content API.
  ``select`` keeps the operations in ``WRAPPED`` and every component they reference, transitively, in the
  vendor's own order, and ``render_spec`` writes it as one file, ``content-api.yaml``;
- **documentation pages** (``*.txt``, each with a fenced YAML block): each block is kept byte for byte as
  ``<page>.yaml`` (``pages``).

Both give a mapping of file name to text; ``vendor_upstream.py`` writes it, ``spec_diff.py`` compares it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

SPEC_FILE = "content-api.yaml"

# What the SDK wraps: (route pattern, methods or None for all of them).
WRAPPED: tuple[tuple[re.Pattern[str], frozenset[str] | None], ...] = (
    (re.compile(r"^/contents/v1/connectors(/.*)?$"), None),
    (re.compile(r"^/contents/v1/documents$"), frozenset({"get"})),
    (re.compile(r"^/contents/v1/documents/\{[^/{}]+\}$"), frozenset({"get"})),
)
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# Top-level keys that carry meaning for the operations kept; tags, externalDocs, webhooks and x-* are the
# documentation site's, and would only add noise to every diff.
TOP_LEVEL = ("openapi", "info", "jsonSchemaDialect", "servers", "security", "paths", "components")
DOWNLOAD_TIMEOUT = 60.0  # seconds

# The vendor's pages fence their spec as ````yaml <source path> <method> <route>
_BLOCK = re.compile(r"^````yaml [^\n]*\n(.*?)^````", re.S | re.M)


class SourceError(Exception):
    """The source cannot be read, is not an OpenAPI document, or does not hold what we wrap."""


# ---------------------------------------------------------------------------------------------- reading


def read_source(source: str) -> bytes:
    """The bytes of ``source``: a local path, or an ``https://`` URL (downloaded; no other scheme)."""
    if source.startswith("https://"):
        try:
            with urllib.request.urlopen(source, timeout=DOWNLOAD_TIMEOUT) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as err:
            raise SourceError(f"cannot download {source}: HTTP {err.code} {err.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            reason = getattr(err, "reason", err)
            hint = (
                " (behind a TLS-inspecting proxy, point SSL_CERT_FILE at your CA bundle)"
                if "CERTIFICATE_VERIFY_FAILED" in str(reason)
                else ""
            )
            raise SourceError(
                f"cannot download {source}: {reason}{hint}. Without network access, download the document "
                "elsewhere and pass the file instead: make vendor SPEC=path/to/openapi_content_data.json"
            ) from None
    if "://" in source:
        raise SourceError(f"{source}: only https:// URLs or local files are accepted")
    path = Path(source)
    if not path.is_file():
        raise SourceError(f"{source}: no such file")
    return path.read_bytes()


def parse_document(raw: bytes, name: str) -> dict[str, Any]:
    """Parse a JSON or YAML OpenAPI document; raise SourceError if it is neither, or not OpenAPI."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SourceError(f"{name}: not UTF-8 text ({err})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise SourceError(f"{name}: neither JSON nor YAML ({err})") from None
    if not isinstance(doc, dict) or "openapi" not in doc or not isinstance(doc.get("paths"), dict):
        raise SourceError(f"{name}: not an OpenAPI document (no `openapi` version or `paths`)")
    return doc


# -------------------------------------------------------------------------------------------- selecting


def _wanted_methods(route: str) -> frozenset[str] | None:
    """The methods of ``route`` we wrap: all of them, some, or None (the route is not ours)."""
    for pattern, methods in WRAPPED:
        if pattern.match(route):
            return HTTP_METHODS if methods is None else methods
    return None


def refs(node: Any) -> Iterator[str]:
    """Every local reference in ``node``: ``$ref`` values and discriminator mappings. Examples are data."""
    if isinstance(node, list):
        for item in node:
            yield from refs(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            elif key == "discriminator" and isinstance(value, dict):
                for target in (value.get("mapping") or {}).values():
                    yield target if str(target).startswith("#") else f"#/components/schemas/{target}"
            elif key != "example":
                yield from refs(value)


def component_of(ref: str) -> tuple[str, str]:
    """``#/components/schemas/Name[/...]`` -> ("schemas", "Name"); anything else is not supported."""
    if not ref.startswith("#/components/"):
        raise SourceError(f"reference {ref!r} points outside components/: vendor a bundled (single-file) spec")
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ref[len("#/components/") :].split("/")]
    if len(parts) < 2:
        raise SourceError(f"reference {ref!r} names no component")
    return parts[0], parts[1]


def select(doc: dict[str, Any]) -> dict[str, Any]:
    """The part of ``doc`` this SDK wraps: its operations, their components (transitively), in doc order."""
    paths: dict[str, Any] = {}
    for route, item in doc["paths"].items():
        methods = _wanted_methods(route)
        if methods is None or not isinstance(item, dict):
            continue
        if any(key in methods for key in item):
            paths[route] = {k: v for k, v in item.items() if k not in HTTP_METHODS or k in methods}
    if not any(route.startswith("/contents/v1/connectors") for route in paths):
        raise SourceError("no /contents/v1/connectors operation in this document: is it the Content API spec?")

    components: dict[str, Any] = doc.get("components") or {}
    needed: set[tuple[str, str]] = set()
    pending = list(refs(paths))
    while pending:
        section, name = component_of(pending.pop())
        if (section, name) in needed:
            continue
        if name not in (components.get(section) or {}):
            raise SourceError(f"#/components/{section}/{name} is referenced but not defined in this document")
        needed.add((section, name))
        pending.extend(refs(components[section][name]))
    requirements = list(doc.get("security") or [])
    for item in paths.values():
        requirements += [r for op in item.values() if isinstance(op, dict) for r in op.get("security") or []]
    schemes = {name for requirement in requirements for name in requirement}
    needed |= {("securitySchemes", name) for name in schemes if name in (components.get("securitySchemes") or {})}

    kept_components = {
        section: {name: body for name, body in entries.items() if (section, name) in needed}
        for section, entries in components.items()
        if isinstance(entries, dict) and any((section, name) in needed for name in entries)
    }
    out = {key: doc[key] for key in doc if key in TOP_LEVEL}
    out["paths"] = paths
    if kept_components:
        out["components"] = kept_components
    elif "components" in out:
        del out["components"]
    return copy.deepcopy(out)


def render_spec(selected: dict[str, Any], raw: bytes) -> str:
    """``content-api.yaml``: a header naming the source document by digest, then the selection as YAML."""
    version = (selected.get("info") or {}).get("version", "?")
    header = (
        "# The vendor's Content API spec, filtered by codegen/vendor_upstream.py to the operations this SDK\n"
        "# wraps and the components they use. Do not edit: run `make vendor SPEC=<the published document>`.\n"
        f"# Source: info.version {version}, sha256 {hashlib.sha256(raw).hexdigest()}\n"
    )
    return header + str(yaml.safe_dump(selected, sort_keys=False, allow_unicode=True, width=100))


def from_spec(source: str) -> dict[str, str]:
    """``{file name: text}`` for ``openapi/upstream/`` from the vendor's OpenAPI document at ``source``."""
    raw = read_source(source)
    return {SPEC_FILE: render_spec(select(parse_document(raw, source)), raw)}


def extract(page: str) -> str | None:
    """Return the page's fenced OpenAPI YAML block, byte for byte, or None if it has none."""
    match = _BLOCK.search(page)
    return match.group(1) if match else None


def from_pages(folder: Path) -> dict[str, str]:
    """``{file name: text}`` for ``openapi/upstream/``: each page's YAML block, verbatim, as ``<page>.yaml``."""
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder of documentation pages")
    files = {}
    for page in sorted(folder.glob("*.txt")):
        block = extract(page.read_text(encoding="utf-8"))
        if block is not None:  # a rendered HTML page carries no YAML: what it says goes into patches.yaml
            files[f"{page.stem}.yaml"] = block
    if not files:
        raise SourceError(f"{folder}: no page with a fenced OpenAPI YAML block")
    return files


def parse_files(files: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """The files of ``from_spec`` / ``from_pages`` parsed, in file-name order (as build_spec merges them)."""
    return [(name, yaml.safe_load(files[name])) for name in sorted(files)]
