"""Connectors files written out (``ConnectorsFile.to_yaml``), and the variable names derived for their secrets.

The schema is small and fixed, so the text is written here rather than by a YAML library: every string is either
plain, when it starts with a letter and holds only letters, digits, spaces and ``_ . @ / + - ( ) ' &`` (so YAML
can read it only as that string: no ``yes``, ``null``, number, date, ``- x``, ``#`` or ``: ``), or double-quoted
with JSON's escapes (which are YAML's too), control characters, bidirectional controls, line separators and what a
YAML reader refuses written as ``\\uXXXX``. A file therefore reads back as exactly the values written, whatever a
server sent, and an editor shows nothing reordered or hidden. Comments (ids, variables, notes) carry server text
only through ``visible``, so a line break in a label cannot end a comment.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from uuid import UUID

from bigdata_connectors._as_code.desired import ConnectorSpec
from bigdata_connectors._as_code.text import visible

__all__ = ["connectors_yaml", "derive_variables"]

_YAML_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_PLAIN_EXTRA = frozenset(" _.@/+-()'&")
# Words YAML 1.1 reads as booleans or null (PyYAML's resolver), whatever their case.
_SPECIAL = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
_SECRET_KEYS = {
    "config.user_password": ("password_env", "PASSWORD"),
    "config.session_id": ("session_id_env", "SESSION_ID"),
}
_TYPE_SECRET = {"investment_research": "config.user_password", "sharepoint": "config.session_id"}
_WHAT = {"config.user_password": "the portal password", "config.session_id": "the SharePoint session id"}
_SLUG_MAX = 40


def scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as exactly this string."""
    if (
        value[:1].isalpha()
        and value[-1:] != " "
        and value.lower() not in _SPECIAL
        and all(c.isalnum() or c in _PLAIN_EXTRA for c in value)
    ):
        return value
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _slug(label: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "_", ascii_text.upper()).strip("_")[:_SLUG_MAX].rstrip("_")


def _holds(spec: ConnectorSpec, key: str) -> bool:
    return (spec.user_password if key == "config.user_password" else spec.session_id) is not None


def _tail(ident: str | None, index: int) -> str:
    """A short, stable distinguisher: the random end of the connector's id (its start is a timestamp)."""
    try:
        return UUID(ident).hex[-8:].upper() if ident else str(index + 1)
    except ValueError:
        return str(index + 1)


def derive_variables(
    specs: Sequence[ConnectorSpec], ids: Mapping[str, str], taken: Iterable[str] = ()
) -> list[dict[str, str]]:
    """Per spec, a variable name for each secret it has without a source: ``BIGDATA_<LABEL>_PASSWORD`` or
    ``BIGDATA_<LABEL>_SESSION_ID`` (the label in ASCII capitals, digits and ``_``). Names are valid and distinct:
    connectors whose labels give the same name (``Desk-A``, ``desk a``) or none (``研究``) each get the end of their
    id appended, and a name already ``taken`` is never reused. Two connectors never share a variable: the API
    never shows a secret, so nothing could tell that they hold the same one, and a rotation must reach exactly the
    connector it is meant for."""
    wanted: list[dict[str, str]] = []
    for spec in specs:
        mine = {}
        for key in _SECRET_KEYS:
            if key not in spec.secret_sources and (key == _TYPE_SECRET.get(spec.type) or _holds(spec, key)):
                slug = _slug(spec.label)
                mine[key] = f"BIGDATA_{slug}_{_SECRET_KEYS[key][1]}" if slug else ""
        wanted.append(mine)
    used = set(taken)
    counts: dict[str, int] = {}
    for mine in wanted:
        for name in mine.values():
            counts[name] = counts.get(name, 0) + 1
    for index, (spec, mine) in enumerate(zip(specs, wanted, strict=True)):
        for key, name in mine.items():
            suffix = _SECRET_KEYS[key][1]
            if not name or counts[name] > 1 or name in used:
                base = name.removesuffix(f"_{suffix}") or "BIGDATA_CONNECTOR"
                name = f"{base}_{_tail(ids.get(spec.label), index)}_{suffix}"
            candidate, n = name, 2
            while candidate in used:  # only if the ends of two ids collide as well
                candidate, n = f"{name.removesuffix(f'_{suffix}')}_{n}_{suffix}", n + 1
            mine[key] = candidate
            used.add(candidate)
    return wanted


def _entry(spec: ConnectorSpec, variables: Mapping[str, str]) -> list[str]:
    lines = [f"  - label: {scalar(spec.label)}", f"    type: {scalar(spec.type)}"]
    if spec.description:
        lines.append(f"    description: {scalar(spec.description)}")
    lines.append(f"    share_with_org: {'true' if spec.share_with_org else 'false'}")
    config: list[str] = []
    if spec.type == "email" and spec.allowed_emails:
        config.append("      allowed_emails:")
        config += [f"        - {scalar(address)}" for address in spec.allowed_emails]
    if spec.type == "investment_research":
        config.append(f"      user_id: {scalar(spec.user_id or '')}")
    for key, (yaml_key, _) in _SECRET_KEYS.items():
        if key in variables:
            config.append(f"      {yaml_key}: {variables[key]}")
    return lines + (["    config:", *config] if config else [])


def connectors_yaml(specs: Sequence[ConnectorSpec], ids: Mapping[str, str], notes: Sequence[str]) -> str:
    """The text of a connectors file declaring ``specs``, in their order (see the module's docstring)."""
    taken = {v for spec in specs for v in spec.secret_sources.values()}
    derived = derive_variables(specs, ids, taken)
    variables = [{**spec.secret_sources, **extra} for spec, extra in zip(specs, derived, strict=True)]
    head = [
        "# A connectors file: `bigdata-connectors plan -f FILE` shows what `apply -f FILE` would change.",
        "# Secrets are never written in it: each is read from the environment variable it names.",
    ]
    listed = [(name, spec, key) for spec, mine in zip(specs, variables, strict=True) for key, name in mine.items()]
    if listed:
        head += [
            "# Set these before `plan` or `apply` (a secret is sent only when its connector is created or replaced;",
            "# to rotate one, set the new value and apply with --replace LABEL):",
        ]
        width = max(len(name) for name, _, _ in listed)
        head += [
            f"#   {name:<{width}}  {_WHAT[key]} of {visible(repr(spec.label))} ({spec.type})"
            for name, spec, key in listed
        ]
    if notes:
        head.append("# Not exported:")
        head += [f"#   - {visible(note)}" for note in notes]
    body = ["version: 1", "connectors:" if specs else "connectors: []"]
    for spec, mine in zip(specs, variables, strict=True):
        ident = ids.get(spec.label)
        if ident is not None:
            body.append(f"  # connector_id: {visible(ident)}")
        body += _entry(spec, mine)
    return "\n".join(head + body) + "\n"
