"""The few Airflow names whose home moved between the versions the ``[airflow]`` extra allows (3.1 to 3.3).

Airflow 3.3 moved the task-facing exceptions to ``airflow.sdk.exceptions`` (their old home warns) and
the configuration to ``airflow.sdk.configuration``; 3.1 has them only in ``airflow.exceptions`` and
``airflow.configuration``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # type-checked against the newest Airflow tested
    from airflow.sdk.configuration import conf
    from airflow.sdk.exceptions import (
        AirflowException,
        AirflowFailException,
        AirflowNotFoundException,
        AirflowSensorTimeout,
        AirflowSkipException,
        TaskDeferralError,
        TaskDeferralTimeout,
    )
    from airflow.sdk.types import TaskInstanceKey
else:
    try:  # Airflow 3.2+
        from airflow.sdk.configuration import conf
    except ImportError:  # Airflow 3.1
        from airflow.configuration import conf
    try:  # Airflow 3.3+
        from airflow.sdk.exceptions import (
            AirflowException,
            AirflowFailException,
            AirflowNotFoundException,
            AirflowSensorTimeout,
            AirflowSkipException,
            TaskDeferralError,
            TaskDeferralTimeout,
        )
    except ImportError:  # Airflow 3.1-3.2
        from airflow.exceptions import (
            AirflowException,
            AirflowFailException,
            AirflowNotFoundException,
            AirflowSensorTimeout,
            AirflowSkipException,
            TaskDeferralError,
            TaskDeferralTimeout,
        )
    try:  # Airflow 3.2+
        from airflow.sdk.types import TaskInstanceKey
    except ImportError:  # Airflow 3.1
        from airflow.models.taskinstancekey import TaskInstanceKey

__all__ = [
    "AirflowException",
    "AirflowFailException",
    "AirflowNotFoundException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "TaskDeferralError",
    "TaskDeferralTimeout",
    "TaskInstanceKey",
    "conf",
    "default_deferrable",
]


def default_deferrable() -> bool:
    """``[operators] default_deferrable`` (False when unset), read when an operator is built, as Airflow's
    own providers do: a deployment without a triggerer sets it to False once, for every operator."""
    return bool(conf.getboolean("operators", "default_deferrable", fallback=False))
