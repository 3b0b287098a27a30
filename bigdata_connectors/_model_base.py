"""The base classes of every generated model (``--base-class`` / ``--base-class-map`` in codegen/generate.py).

Why: ``defer_build`` postpones building each model's validator from import time to its first use,
so ``import bigdata_connectors`` does not pay for models a program never touches.

Request models (codegen/base_classes.json names them) are also strict: ``share_with_org="yes"`` is a
mistake to refuse, not a ``true`` to send; and their validation errors never repeat the input in
their text (it may be a password). Responses stay lax: the server is the source of truth.
"""

from pydantic import BaseModel, ConfigDict


class APIModel(BaseModel):
    """A model generated from openapi/connectors.yaml."""

    model_config = ConfigDict(defer_build=True)


class RequestModel(APIModel):
    """A request body (or part of one) generated from openapi/connectors.yaml: strict types, no input in error text."""

    model_config = ConfigDict(defer_build=True, strict=True, hide_input_in_errors=True)
