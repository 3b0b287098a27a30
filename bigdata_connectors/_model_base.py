"""The base classes of every generated model (``--base-class`` / ``--base-class-map`` in codegen/generate.py).

Why: ``defer_build`` postpones building each model's validator from import time to its first use,
so ``import bigdata_connectors`` does not pay for models a program never touches.

Request models (codegen/base_classes.json names them) are also strict: ``share_with_org="yes"`` is a
mistake to refuse, not a ``true`` to send; and their validation errors never repeat the input in
their text (it may be a password). Responses stay lax: the server is the source of truth.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict

# The package's generated models by class name, filled as ``_generated/`` defines them: so a hook (``_model_hooks``)
# can name a sibling class without importing the generated module that imports it. Models generated elsewhere (the
# codegen tests generate into temporary folders) are not the package's and are not listed.
MODELS: dict[str, type[BaseModel]] = {}
_GENERATED = f"{__name__.rpartition('.')[0]}._generated."


class APIModel(BaseModel):
    """A model generated from openapi/connectors.yaml."""

    model_config = ConfigDict(defer_build=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith(_GENERATED):
            MODELS[cls.__name__] = cls


class RequestModel(APIModel):
    """A request body (or part of one) generated from openapi/connectors.yaml: strict types, no input in error text."""

    model_config = ConfigDict(defer_build=True, strict=True, hide_input_in_errors=True)
