"""Connectors files: YAML that declares connectors by label, validated with line numbers, secrets from the environment.

    version: 1                       # optional
    connectors:
      - label: Broker research       # the key: unique in the file
        type: investment_research    # email | investment_research | sharepoint
        description: Daily reports   # optional ("" by default)
        share_with_org: true         # optional (false by default)
        config: {user_id: me@broker.com, password_env: BROKER_PASSWORD}

Configs by type: email ``allowed_emails`` (a list, optional); investment_research ``user_id`` and
``password_env``; sharepoint ``session_id_env``. A secret is never written in the file: ``*_env`` names the
environment variable holding it, read when the file is loaded. Every problem (syntax, schema, a variable not
set) is collected with its line and key and raised together as one ConnectorsFileError, before anything is sent.

PyYAML is imported here, lazily, only when a file is read (extra ``bigdata-connectors[yaml]``); the line
numbers come from its node marks, so the schema is checked on the node tree rather than on plain data.

Bounded (``limits``): a hostile or broken file is refused fast with ConnectorsFileError, never a RecursionError
or minutes of work.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bigdata_connectors._as_code.desired import ConnectorSpec
from bigdata_connectors._as_code.emit import connectors_yaml
from bigdata_connectors._as_code.limits import (
    MAX_FILE_CHARS,
    MAX_VALUES,
    TOO_DEEP,
    compose,
    read_bounded,
    too_large,
    too_many_values,
)
from bigdata_connectors._errors import ConnectorsFileError, FileProblem

__all__ = ["ENV_NAME", "ConnectorsFile", "resolve_secrets", "unset_variable"]

_TYPES = ("email", "investment_research", "sharepoint")
_ENTRY_KEYS = ("label", "type", "description", "share_with_org", "config")
# Per type: config keys, and which of them are required.
_CONFIG_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "email": (("allowed_emails",), ()),
    "investment_research": (("user_id", "password_env"), ("user_id", "password_env")),
    "sharepoint": (("session_id_env",), ("session_id_env",)),
}
_SECRET_KEYS = {"user_password": "password_env", "password": "password_env", "session_id": "session_id_env"}
_SECRET_FIELDS = {"password_env": "config.user_password", "session_id_env": "config.session_id"}
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CONVENTIONAL = re.compile(r"[A-Z_][A-Z0-9_]*")
_STR, _BOOL, _NULL, _INT = (f"tag:yaml.org,2002:{t}" for t in ("str", "bool", "null", "int"))


@dataclass(frozen=True, slots=True)
class ConnectorsFile:
    """A loaded connectors file: its ``name`` (the path, or what ``parse`` was told) and the declared
    ``connectors``, secrets resolved from the environment. Build it with ``read`` or ``parse``, or export the
    account's connectors (``client.connectors.export()``); ``to_yaml()`` writes it out.

    ``ids`` maps a label to the id of the connector it was exported from (empty for a file read); ``notes`` says
    what an export left out and why; ``sha256`` is the SHA-256 of the text it was parsed from (a plan records it).
    """

    name: str
    connectors: tuple[ConnectorSpec, ...]
    ids: Mapping[str, str] = field(default_factory=dict, compare=False)
    notes: tuple[str, ...] = ()
    sha256: str | None = None

    @property
    def variables(self) -> tuple[str, ...]:
        """The environment variables the file's secrets come from, in file order, each once."""
        return tuple(dict.fromkeys(v for spec in self.connectors for v in spec.secret_sources.values()))

    def to_yaml(self) -> str:
        """The file as YAML that ``ConnectorsFile.parse`` (and ``plan -f``) reads back to the same declared state:
        a header comment listing the environment variables to set, then each connector (preceded by a comment
        naming its id when it was exported), every string quoted where YAML would read it otherwise. Secrets are
        never written: each is its ``password_env:`` / ``session_id_env:`` variable (one derived from the label
        when the secret came from code, not from a variable). Needs PyYAML only to read it back."""
        return connectors_yaml(self.connectors, self.ids, self.notes)

    @classmethod
    def read(cls, path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None) -> ConnectorsFile:
        """Load the file at ``path``. ``environ`` (default ``os.environ``) supplies the ``*_env`` secrets.

        Raises ConnectorsFileError (unreadable, invalid, or a variable not set), ImportError (no PyYAML).
        """
        name = os.fspath(path)
        if "\n" in name:  # never echoed: it is text, maybe with a secret pasted in
            problem = FileProblem(None, "", "this is YAML text, not a path: use ConnectorsFile.parse(text)")
            raise ConnectorsFileError("<text given as a path>", [problem])
        try:
            raw = read_bounded(Path(name))
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else "it is not UTF-8 text"
            raise ConnectorsFileError(name, [FileProblem(None, "", f"cannot read the file: {reason}")]) from None
        parsed = cls.parse(text, name=name, environ=environ)
        return dataclasses.replace(parsed, sha256=hashlib.sha256(raw).hexdigest())  # as `sha256sum FILE` says

    @classmethod
    def parse(
        cls, text: str, *, name: str = "<connectors file>", environ: Mapping[str, str] | None = None
    ) -> ConnectorsFile:
        """Load a connectors file from its text; ``name`` is used in error messages.

        Raises ConnectorsFileError (also for text over ``MAX_FILE_CHARS`` characters, nested deeper than
        ``MAX_DEPTH``, or expanding to more than ``MAX_VALUES`` values), ImportError (no PyYAML).
        """
        if len(text) > MAX_FILE_CHARS:
            raise ConnectorsFileError(name, [too_large()])
        checker = _Checker(os.environ if environ is None else environ)
        specs = checker.document(text)
        if checker.problems:
            in_order = sorted(checker.problems, key=lambda p: (p.line is None, p.line or 0))
            raise ConnectorsFileError(name, in_order, checker.missing)
        return cls(name, tuple(specs), sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())


def unset_variable(env: str) -> tuple[str, str]:
    """The problem's message for a secret's variable that is not set, and the name to report as missing: a name
    that does not look like a variable may be a secret pasted by mistake, so it is never echoed (``***``)."""
    if _CONVENTIONAL.fullmatch(env):
        return f"environment variable {env} is not set (or is empty)", env
    return "the environment variable named here is not set (or is empty)", "***"


def resolve_secrets(declared: ConnectorsFile, environ: Mapping[str, str] | None = None) -> ConnectorsFile:
    """``declared`` with every secret it names but does not hold (an exported file) read from ``environ``
    (default ``os.environ``). Raises ConnectorsFileError listing every variable not set."""
    environ = os.environ if environ is None else environ
    problems: list[FileProblem] = []
    missing: list[str] = []
    specs = []
    for spec in declared.connectors:
        values: dict[str, SecretStr] = {}
        for key, env in spec.secret_sources.items():
            attribute = key.removeprefix("config.")
            if getattr(spec, attribute, None) is not None:
                continue
            value = environ.get(env)
            if value:
                values[attribute] = SecretStr(value)
                continue
            message, name = unset_variable(env)
            problems.append(FileProblem(spec.line, f"{spec.label!r}.{key}", message))
            missing.append(name)
        specs.append(
            dataclasses.replace(
                spec,
                user_password=values.get("user_password", spec.user_password),
                session_id=values.get("session_id", spec.session_id),
            )
        )
    if problems:
        raise ConnectorsFileError(declared.name, problems, missing)
    return dataclasses.replace(declared, connectors=tuple(specs))


def _yaml() -> Any:
    try:
        import yaml
    except ImportError as err:
        raise ImportError("reading connectors files needs PyYAML: pip install 'bigdata-connectors[yaml]'") from err
    return yaml


def _label_of(node: Any) -> str | None:
    """The label an entry declares, read early so a duplicate is caught even in an entry with other problems."""
    if node.id != "mapping":
        return None
    for key, value in node.value:
        if key.id == "scalar" and key.value == "label" and value.id == "scalar":
            return str(value.value)
    return None


class _Checker:
    """Walks the YAML node tree, collecting problems and building specs."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[FileProblem] = []
        self.missing: list[str] = []  # environment variables named but not set

    def problem(self, node: Any, key: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(FileProblem(line, key, message))

    def document(self, text: str) -> list[ConnectorSpec]:
        yaml = _yaml()
        try:
            root = compose(yaml, text)
        except yaml.MarkedYAMLError as err:
            # Built from the parts, not str(err): that quotes the offending source line, which may hold a secret.
            mark = err.problem_mark or err.context_mark
            line = mark.line + 1 if mark is not None else None
            said = err.problem if err.problem == TOO_DEEP else f"not valid YAML: {err.problem or err.context}"
            self.problems.append(FileProblem(line, "", said))
            return []
        except yaml.YAMLError as err:
            self.problems.append(FileProblem(None, "", f"not valid YAML: {type(err).__name__}"))
            return []
        if root is None:
            self.problems.append(FileProblem(None, "", "the file is empty: it needs a 'connectors' list"))
            return []
        if (node := too_many_values(root)) is not None:
            self.problem(node, "", f"the file stands for more than {MAX_VALUES:,} values once its aliases (*name) "
                         "are expanded: aliases may repeat a value, not multiply the file")  # fmt: skip
            return []
        top = self.mapping(root, "", ("version", "connectors"), required=("connectors",))
        if top is None:
            return []
        if "version" in top and self.scalar(top["version"], "version", _INT) not in (None, "1"):
            self.problem(top["version"], "version", "only version 1 is known")
        entries = top.get("connectors")
        if entries is None:
            return []
        if entries.id != "sequence":
            self.problem(entries, "connectors", "must be a list of connectors (each item starting with '- ')")
            return []
        specs: list[ConnectorSpec] = []
        first_line: dict[str, int] = {}
        for index, node in enumerate(entries.value):
            label = _label_of(node)
            if label is not None and label in first_line:
                self.problem(node, f"connectors[{index}].label",
                             f"{label!r} is declared twice (first at line {first_line[label]}): labels are the key")  # fmt: skip
            elif label is not None:
                first_line[label] = node.start_mark.line + 1
            spec = self.entry(node, f"connectors[{index}]")
            if spec is not None:
                specs.append(spec)
        return specs

    def mapping(
        self, node: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """A mapping node's keys and value nodes; unknown, duplicate and missing keys are problems."""
        if node.id != "mapping":
            self.problem(node, where, "must be a mapping of keys to values")
            return None
        found: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if key_node.id == "scalar" else "?"
            path = f"{where}.{key}" if where else key
            if key in _SECRET_KEYS and key not in allowed:
                self.problem(key_node, path, f"secrets are never written in a connectors file: use "
                             f"{_SECRET_KEYS[key]}: VARIABLE_NAME (the value is read from that environment variable)")  # fmt: skip
            elif key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                guess = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.problem(key_node, path, f"unknown key {key!r}{guess}; expected: {', '.join(allowed)}")
            elif key in found:
                self.problem(key_node, path, "given twice")
            else:
                found[key] = value_node
        for key in required:
            if key not in found:
                self.problem(node, f"{where}.{key}" if where else key, "required")
        return found

    def scalar(self, node: Any, where: str, tag: str = _STR, *, empty_ok: bool = False) -> str | None:
        """A scalar's text if it has the expected YAML type, else a problem (never quoting the value)."""
        wanted = {_STR: "a string", _BOOL: "true or false", _INT: "a whole number"}[tag]
        if node.id != "scalar" or (node.tag != tag and not (tag == _STR and node.tag != _NULL)):
            self.problem(node, where, f"must be {wanted}")
            return None
        text = str(node.value)
        if tag == _STR and not text.strip() and not empty_ok:
            self.problem(node, where, "must not be empty")
            return None
        return text

    def entry(self, node: Any, where: str) -> ConnectorSpec | None:
        fields = self.mapping(node, where, _ENTRY_KEYS, required=("label", "type"))
        if fields is None:
            return None
        ok = True
        label = self.scalar(fields["label"], f"{where}.label") if "label" in fields else None
        type_ = self.scalar(fields["type"], f"{where}.type") if "type" in fields else None
        if type_ is not None and type_ not in _TYPES:
            self.problem(fields["type"], f"{where}.type", f"must be one of {', '.join(_TYPES)}")
            type_ = None
        description = ""
        if "description" in fields:
            description = self.scalar(fields["description"], f"{where}.description", empty_ok=True) or ""
        share = False
        if "share_with_org" in fields:
            raw = self.scalar(fields["share_with_org"], f"{where}.share_with_org", _BOOL)
            share = raw is not None and raw.lower() in ("true", "yes", "on", "y")
        if label is None or type_ is None:
            return None
        config_node = fields.get("config")
        keys, required = _CONFIG_KEYS[type_]
        if config_node is None:
            if required:
                self.problem(node, f"{where}.config", f"required for {type_} connectors ({', '.join(required)})")
                return None
            return ConnectorSpec(type_, label, description, share, line=node.start_mark.line + 1)
        config = self.mapping(config_node, f"{where}.config", keys, required)
        if config is None:
            return None
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for key, value_node in config.items():
            path = f"{where}.config.{key}"
            if key == "allowed_emails":
                values["allowed_emails"] = self.emails(value_node, path)
            elif key in _SECRET_FIELDS:
                env = self.scalar(value_node, path)
                secret = self.secret(value_node, path, env)
                ok = ok and secret is not None
                if env is not None:
                    sources[_SECRET_FIELDS[key]] = env
                values[_SECRET_FIELDS[key].removeprefix("config.")] = secret
            else:
                values[key] = self.scalar(value_node, path)
        if not ok or any(v is None for k, v in values.items() if k != "allowed_emails"):
            return None
        return ConnectorSpec(
            type_,
            label,
            description,
            share,
            allowed_emails=tuple(values.get("allowed_emails") or ()),
            user_id=values.get("user_id"),
            user_password=values.get("user_password"),
            session_id=values.get("session_id"),
            secret_sources=sources,
            line=node.start_mark.line + 1,
        )

    def emails(self, node: Any, where: str) -> list[str]:
        if node.id != "sequence":
            self.problem(node, where, "must be a list of email addresses")
            return []
        addresses = []
        for index, item in enumerate(node.value):
            text = self.scalar(item, f"{where}[{index}]")
            if text is not None and "@" not in text:
                self.problem(item, f"{where}[{index}]", "not an email address (no '@')")
            elif text is not None:
                addresses.append(text.strip())
        return addresses

    def secret(self, node: Any, where: str, env: str | None) -> SecretStr | None:
        if env is None:
            return None
        if not ENV_NAME.fullmatch(env):
            self.problem(node, where, "must name an environment variable (letters, digits, '_'), not hold the secret")
            return None
        value = self.environ.get(env)
        if not value:
            # Named only when it looks like a variable: a secret pasted here by mistake must not be echoed.
            message, name = unset_variable(env)
            self.problem(node, where, message)
            self.missing.append(name)
            return None
        return SecretStr(value)
