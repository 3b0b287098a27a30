"""Validation the generator cannot express from the spec alone; wired in by codegen/validators.json.

Why this exists: the class of ``Connector.config`` depends on the *sibling* field ``type``. OpenAPI's
discriminator only looks inside the object being chosen, so the schema can say "one of these shapes"
but not "this shape because type is email". Left to shape matching, a sharepoint connector's ``{}``
would validate as an (all-optional) email config. This hook picks the class by ``type`` and keeps an
unknown type's config as a plain dict, so a connector of a kind we have never heard of still parses.

A config that does not fit its type's class (an investment_research config without ``user_id``) is
valid under the vendor's schema, which does not tie ``config`` to ``type``: it is kept as a plain dict
too, so the connector, and the ``list()`` holding it, still parse.

Secrets are write-only: the API never returns a password or a session id. Should an answer's config carry
one anyway (a server bug, a proxy's echo, a connector type we do not know), its value is replaced by ``***``
on the way in, at any depth, so no ``repr()``, ``model_dump_json()``, table or ``--json`` shows it. Which
names are secret is what the request models say (``secret_field_names``: every ``SecretStr`` field), plus
``password`` and the API key's names.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError, ValidationInfo, ValidatorFunctionWrapHandler

from bigdata_connectors._model_base import MODELS

__all__ = ["MASK", "connector_config_by_type", "secret_field_names"]

MASK = "***"
# Secret whatever model holds them: a password under its plain name, and the API key's two spellings.
_ALWAYS_SECRET = frozenset({"password", "api_key", "x-api-key"})
_CONFIG_CLASS_NAMES = {
    "email": "EmailConnectorResponseConfig",
    "investment_research": "InvestmentResearchConnectorResponseConfig",
    "sharepoint": "SharepointConnectorResponseConfig",
}


def _holds_secret(annotation: Any) -> bool:
    return annotation is SecretStr or any(_holds_secret(arg) for arg in typing.get_args(annotation))


@functools.cache
def secret_field_names() -> frozenset[str]:
    """The names (lower case, and their aliases) of every field a request model types ``SecretStr``
    (``user_password``, ``session_id``, ...), plus ``password``, ``api_key`` and ``x-api-key``.

    Derived from the request models, so a secret field the spec adds is known here without a list to keep.
    Loads them on the first call: only a request with a body, or an answer whose config has a key its class
    does not declare, ever asks."""
    from bigdata_connectors._generated import request_models

    names = set(_ALWAYS_SECRET)
    for model in vars(request_models).values():
        if isinstance(model, type) and issubclass(model, BaseModel):
            for name, field in model.model_fields.items():
                if _holds_secret(field.annotation):
                    names.update(n.lower() for n in (name, field.alias) if n)
    return frozenset(names)


def _masked(value: Any, names: Collection[str]) -> Any:
    """``value`` with the value under every secret-named key replaced by ``***``, at any depth."""
    if isinstance(value, Mapping):
        return {
            k: MASK if isinstance(k, str) and k.lower() in names and v is not None else _masked(v, names)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_masked(v, names) for v in value]
    return value


def _without_secrets(value: Mapping[str, Any], declared: Collection[str]) -> Mapping[str, Any]:
    """The config with secret-named values masked. The common answer (only the fields its class declares,
    none of them secret) is returned as it is, without looking the secret names up."""
    if all(key in declared for key in value):
        return value
    masked: Mapping[str, Any] = _masked(value, secret_field_names())
    return masked


def _config_class(connector_type: object) -> type[BaseModel] | None:
    # By name, from the base class's registry: the generated module imports this one, so it cannot import it back.
    name = _CONFIG_CLASS_NAMES.get(connector_type) if isinstance(connector_type, str) else None
    return MODELS[name] if name is not None else None


def connector_config_by_type(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    """Validate ``Connector.config`` as the class its connector's ``type`` names, secret-named values masked."""
    if isinstance(value, BaseModel) and value.model_extra:
        value = value.model_dump(by_alias=True)  # extras may hold a secret: masked as a mapping below
    if value is None or isinstance(value, BaseModel):
        return handler(value)
    cls = _config_class(info.data.get("type"))
    if isinstance(value, Mapping):
        value = _without_secrets(value, cls.model_fields if cls is not None else ())
    if cls is None:
        # Unknown type (or `type` itself failed): keep the config readable as the plain object it is.
        return dict(value) if isinstance(value, Mapping) else handler(value)
    try:
        typed = cls.model_validate(value)
    except ValidationError:
        # Fits the schema's free-form object but not its type's class: readable as the mapping it is.
        return dict(value) if isinstance(value, Mapping) else handler(value)
    # Handing the union an instance of the exact class makes pydantic's smart mode pick that class.
    return handler(typed)
