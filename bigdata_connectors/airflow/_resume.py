"""Where a task keeps the token of the sync it started, so that its next try reattaches instead of
starting a second sync.

- Airflow 3.3+: the task state store (``context["task_state_store"]``, AIP-103, what ``ResumableJobMixin``
  uses), key ``bigdata_sync_token``. Scoped to the task instance (dag, run, task, map index); it survives
  worker crashes and retries; Airflow keeps it after success unless ``[state_store] clear_on_success``.
- Airflow 3.1-3.2 have no such store, and clear a task instance's XComs when a new try starts. There the
  token goes in an Airflow Variable named ``bigdata_sync_token.<hash of dag, run, task, map index>``
  (the value names them too). A token is ids and timestamps, no secret: it may sit where Variables do.

Either way the entry is deleted once the task has reported the sync's success, so a task cleared after
success starts a fresh sync.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

from airflow.sdk import Context, Variable

KEY = "bigdata_sync_token"


class TokenStore(Protocol):
    where: str

    def get(self) -> str | None: ...
    def set(self, token: str) -> None: ...
    def delete(self) -> None: ...


class TaskStateTokenStore:
    """The task state store of Airflow 3.3+."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.where = f"the task state store (key {KEY!r})"

    def get(self) -> str | None:
        value = self._store.get(KEY)
        return value if isinstance(value, str) and value else None

    def set(self, token: str) -> None:
        self._store.set(KEY, token)

    def delete(self) -> None:
        self._store.delete(KEY)


class VariableTokenStore:
    """An Airflow Variable per task instance (Airflow 3.1-3.2)."""

    def __init__(self, dag_id: str, run_id: str, task_id: str, map_index: int) -> None:
        self._scope = {"dag_id": dag_id, "run_id": run_id, "task_id": task_id, "map_index": map_index}
        digest = hashlib.sha256(json.dumps(self._scope, sort_keys=True).encode()).hexdigest()[:32]
        self.key = f"{KEY}.{digest}"
        self.where = f"the Airflow Variable {self.key!r}"

    def get(self) -> str | None:
        raw = Variable.get(self.key, default=None)
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        token = value.get("token") if isinstance(value, dict) else None
        return token if isinstance(token, str) and token else None

    def set(self, token: str) -> None:
        description = "Bigdata sync token of one task instance (bigdata-connectors): its retry reattaches to the sync"
        Variable.set(self.key, json.dumps({**self._scope, "token": token}), description=description)

    def delete(self) -> None:
        Variable.delete(self.key)


def token_store(context: Context) -> TokenStore:
    """The task state store when Airflow has one (3.3+), else the Variable fallback."""
    store = context.get("task_state_store")
    if store is not None:
        return TaskStateTokenStore(store)
    ti = context["ti"]
    return VariableTokenStore(ti.dag_id, ti.run_id, ti.task_id, ti.map_index if ti.map_index is not None else -1)
