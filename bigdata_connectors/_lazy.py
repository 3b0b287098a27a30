"""Names that load their module on first use (PEP 562): the package's public surface, and each wing's seam.

``import bigdata_connectors`` must stay cheap (a DAG file parsed every 30 seconds, ``--help``, a test collection
pay it without making a call), and a program that never syncs should not load the sync machinery. So the public
package and the two wings (``_syncs``, ``_as_code``) each hold a map from a name to the module defining it, and
import that module the first time the name is read: by a call that needs it, or by ``typing.get_type_hints`` on a
signature that names it. The value is then kept in the package, so later reads are plain attribute reads.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``names`` maps each name to the module (absolute, or relative
    to ``package`` with a leading dot) that defines it; a name mapped to ``.name`` is that submodule itself.
    Raises AttributeError for any other name."""
    namespace = sys.modules[package].__dict__

    def load(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        imported = importlib.import_module(module, package)
        value = imported if module == f".{name}" else getattr(imported, name)
        namespace[name] = value
        return value

    return load
