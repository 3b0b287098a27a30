"""The base classes of every generated model (``--base-class`` / ``--base-class-map`` in codegen/generate.py).

Why: ``defer_build`` postpones building each model's validator from import time to its first use,
so ``import bigdata_connectors`` does not pay for models a program never touches.

Request models (codegen/base_classes.json names them) are also strict: ``share_with_org="yes"`` is a
mistake to refuse, not a ``true`` to send; and their validation errors never repeat the input in
their text (it may be a password). Responses stay lax: the server is the source of truth.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict

# Every generated model by class name, filled as the generated modules define them: so a hook (``_model_hooks``)
# can name a sibling class without importing the generated module that imports it.
MODELS: dict[str, type[BaseModel]] = {}


class APIModel(BaseModel):
    """A model generated from openapi/connectors.yaml."""

    model_config = ConfigDict(defer_build=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        MODELS[cls.__name__] = cls


class RequestModel(APIModel):
    """A request body (or part of one) generated from openapi/connectors.yaml: strict types, no input in error text."""

    model_config = ConfigDict(defer_build=True, strict=True, hide_input_in_errors=True)
