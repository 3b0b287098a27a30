"""Validation the generator cannot express from the spec alone; wired in by codegen/validators.json.

Why this exists: the class of ``Connector.config`` depends on the *sibling* field ``type``. OpenAPI's
discriminator only looks inside the object being chosen, so the schema can say "one of these shapes"
but not "this shape because type is email". Left to shape matching, a sharepoint connector's ``{}``
would validate as an (all-optional) email config. This hook picks the class by ``type`` and keeps an
unknown type's config as a plain dict, so a connector of a kind we have never heard of still parses.

A config that does not fit its type's class (an investment_research config without ``user_id``) is
valid under the vendor's schema, which does not tie ``config`` to ``type``: it is kept as a plain dict
too, so the connector, and the ``list()`` holding it, still parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError, ValidationInfo, ValidatorFunctionWrapHandler

from bigdata_connectors._model_base import MODELS

_CONFIG_CLASS_NAMES = {
    "email": "EmailConnectorResponseConfig",
    "investment_research": "InvestmentResearchConnectorResponseConfig",
    "sharepoint": "SharepointConnectorResponseConfig",
}


def _config_class(connector_type: object) -> type[BaseModel] | None:
    # By name, from the base class's registry: the generated module imports this one, so it cannot import it back.
    name = _CONFIG_CLASS_NAMES.get(connector_type) if isinstance(connector_type, str) else None
    return MODELS[name] if name is not None else None


def connector_config_by_type(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    """Validate ``Connector.config`` as the class its connector's ``type`` names."""
    if value is None or isinstance(value, BaseModel):
        return handler(value)
    cls = _config_class(info.data.get("type"))
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
