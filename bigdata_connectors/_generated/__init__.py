"""Models generated from openapi/connectors.yaml by codegen/generate.py. Do not edit.

Import them from ``bigdata_connectors``, not from here.
"""
