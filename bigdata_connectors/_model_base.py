"""The base class of every generated model (``--base-class`` in codegen/generate.py).

Why: ``defer_build`` postpones building each model's validator from import time to its first use,
so ``import bigdata_connectors`` does not pay for models a program never touches.
"""

from pydantic import BaseModel, ConfigDict


class APIModel(BaseModel):
    """A model generated from openapi/connectors.yaml."""

    model_config = ConfigDict(defer_build=True)
