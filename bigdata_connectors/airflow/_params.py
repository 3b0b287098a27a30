"""Checking the operator's and sensor's parameters twice: at DAG parse for the values written as
numbers, and in the task once templates are rendered (a rendered template is text)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


def is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def seconds(value: Any, name: str) -> float:
    """A positive, finite number of seconds from a number, a numeric string or a timedelta; ValueError
    naming ``name`` otherwise."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number of seconds, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number of seconds, got {value!r}") from None
    if not (number > 0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a positive, finite number of seconds, got {value!r}")
    return number


def flag(value: Any, name: str) -> bool:
    """A bool from a bool or its rendered text ("True", "false", ...); ValueError otherwise."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def identifier(value: Any, name: str) -> str:
    """A non-empty id (text); ValueError otherwise. A connector id's form is checked by the SDK."""
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError(f"{name} is empty: give the connector's id (a UUID), e.g. through the run's parameters")
    return text


def check_execution_timeout(execution_timeout: timedelta | None, timeout: float, who: str) -> None:
    """ValueError when ``execution_timeout`` would end the task before ``timeout`` (seconds) does: Airflow
    would kill an in-worker wait midway, and does not bound a deferred one by it at all (3.1 to 3.3)."""
    if execution_timeout is None:
        return
    limit = execution_timeout.total_seconds()
    if limit < timeout:
        raise ValueError(
            f"{who}: execution_timeout ({limit:g} s) is shorter than timeout ({timeout:g} s). Airflow would kill "
            "a wait in the worker before the sync's own deadline (with a bare 'timeout' message), and does not "
            "apply execution_timeout to a deferred wait at all. Set timeout to at most execution_timeout "
            "(timeout is the whole start-and-wait, in seconds), or raise execution_timeout."
        )
