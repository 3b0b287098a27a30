"""The connectors-as-code wing: declared state, connectors files, ensure, plan, apply.

``desired`` (``ConnectorSpec``: one connector's declared state, and how a live one differs from it), ``file``
(connectors files: YAML with line numbers, secrets from the environment; ``limits``: how much of one is read),
``emit`` (files written out),
``export`` (the account as a file), ``ensure`` (one connector by label, no duplicate after a lost answer),
``actions`` (``PlanAction``), ``basis`` (what a plan was made from; ``StalePlanError``), ``plan`` (``Plan``: the
actions, as a diff and as data), ``saved`` (plan files), ``apply`` (a plan's actions through ``ensure``, in a safe
order; a saved plan only while the account is as it was), ``text`` (what people are shown).

This package is the wing's one seam. ``connectors.py`` imports it with the client, but each name below loads its
module the first time it is read (PEP 562, ``_lazy``): by the first ``ensure``/``plan``/``apply`` call, or by
``typing.get_type_hints`` on a signature that names it. Most programs never load the wing (nor PyYAML, which
``file`` imports only when a file is read). The wing talks to the API through the service it is handed
(``Operations``), so create's checks and update's merge stay in one place.
"""

from typing import TYPE_CHECKING

from bigdata_connectors._lazy import lazy_names

if TYPE_CHECKING:
    from bigdata_connectors._as_code.actions import PlanAction
    from bigdata_connectors._as_code.apply import ActionOutcome, ApplyReport, OutcomeCallback, apply_plan
    from bigdata_connectors._as_code.basis import PlanBasis, StalePlanError
    from bigdata_connectors._as_code.desired import ConnectorSpec, FieldChange
    from bigdata_connectors._as_code.ensure import Memory, ensure_connector
    from bigdata_connectors._as_code.export import export_file
    from bigdata_connectors._as_code.file import ConnectorsFile, resolve_secrets
    from bigdata_connectors._as_code.plan import Plan, make_plan

__all__ = [
    "ActionOutcome",
    "ApplyReport",
    "ConnectorSpec",
    "ConnectorsFile",
    "FieldChange",
    "Memory",
    "OutcomeCallback",
    "Plan",
    "PlanAction",
    "PlanBasis",
    "StalePlanError",
    "apply_plan",
    "ensure_connector",
    "export_file",
    "make_plan",
    "resolve_secrets",
]

__getattr__ = lazy_names(
    __name__,
    {
        "ActionOutcome": ".apply",
        "ApplyReport": ".apply",
        "OutcomeCallback": ".apply",
        "apply_plan": ".apply",
        "ConnectorSpec": ".desired",
        "FieldChange": ".desired",
        "Memory": ".ensure",
        "ensure_connector": ".ensure",
        "ConnectorsFile": ".file",
        "Plan": ".plan",
        "PlanAction": ".actions",
        "make_plan": ".plan",
        "PlanBasis": ".basis",
        "StalePlanError": ".basis",
        "export_file": ".export",
        "resolve_secrets": ".file",
    },
)
