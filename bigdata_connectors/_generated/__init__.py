"""Models generated from openapi/connectors.yaml by codegen/generate.py. Do not edit.

Import them from ``bigdata_connectors``, not from here. ``models`` (what answers carry) loads with the client;
``request_models`` (what request bodies carry) loads the first time it is read, e.g. by the first call that sends
a body: its root model builds a validator at import, which a program that only reads never needs.
"""

from bigdata_connectors._lazy import lazy_names

__getattr__ = lazy_names(__name__, {"request_models": ".request_models"})
