"""The layout is a promise too: no import circle, small modules, seams that resolve, introspectable signatures.

The layers themselves are checked by ``lint-imports`` (``[tool.importlinter]`` in pyproject.toml, run by
``make lint``); this module checks what a layers contract cannot say.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grimp
import pytest

import bigdata_connectors
from bigdata_connectors import BigdataClient, tracing

PACKAGE = Path(bigdata_connectors.__file__).parent
MAX_LINES = 400
LAZY_PACKAGES = ("bigdata_connectors", "bigdata_connectors._syncs", "bigdata_connectors._as_code")


def _hand_written() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "_generated" not in p.parts]


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module) & modules:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_circle_in_the_package() -> None:
    graph = grimp.build_graph("bigdata_connectors")  # every import: module level, TYPE_CHECKING, in functions
    assert _cycles(graph, set(graph.modules)) == []


def test_no_hand_written_module_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n for p in _hand_written() if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_no_lazy_name_is_shadowed_by_a_submodule(package: str) -> None:
    """Importing a submodule binds its name on the package: a lazy name equal to a submodule's would be replaced
    by the module the first time anything imports that submodule."""
    module = importlib.import_module(package)
    submodules = {info.name for info in pkgutil.iter_modules(module.__path__)}
    assert not (set(module.__all__) & submodules)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_lazy_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name


# ---------------------------------------------------------------- signatures


def _public_callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function, class, method and property getter reachable from the public names."""
    seen: set[int] = set()
    roots: list[tuple[str, Any]] = [(n, getattr(bigdata_connectors, n)) for n in bigdata_connectors.__all__]
    roots += [(f"tracing.{n}", getattr(tracing, n)) for n in tracing.__all__]
    client = BigdataClient("key", base_url="http://127.0.0.1:9")
    roots += [("connectors.with_raw_response", client.connectors.with_raw_response)]
    roots += [("documents.with_raw_response", client.documents.with_raw_response)]
    for name, obj in roots:
        if id(obj) in seen or not (callable(obj) or inspect.isclass(obj) or hasattr(obj, "__dict__")):
            continue
        seen.add(id(obj))
        if inspect.isclass(obj):
            yield name, obj
            for attr, member in inspect.getmembers(obj):
                if attr.startswith("_") and attr != "__init__":
                    continue
                if isinstance(member, property) and member.fget is not None:
                    yield f"{name}.{attr}", member.fget
                elif isinstance(member, functools.cached_property):
                    yield f"{name}.{attr}", member.func
                elif (inspect.isfunction(member) or inspect.ismethod(member)) and member.__module__.startswith(
                    "bigdata_connectors"
                ):
                    yield f"{name}.{attr}", member
        elif inspect.isfunction(obj):
            yield name, obj
        else:  # an instance holding operations (with_raw_response)
            for attr, member in vars(obj).items():
                if callable(member):
                    yield f"{name}.{attr}", member


@pytest.mark.parametrize(("name", "target"), list(_public_callables()), ids=lambda x: x if isinstance(x, str) else "")
def test_get_type_hints_works_on_every_public_callable(name: str, target: Callable[..., Any]) -> None:
    typing.get_type_hints(target)  # a NameError here breaks docs generators, DI frameworks, validate_call


def test_the_service_signatures_name_the_real_classes() -> None:
    from bigdata_connectors import ApplyReport, ConnectorsService, Plan, SyncHandle, SyncOutcome, SyncReport

    assert typing.get_type_hints(ConnectorsService.start_sync)["return"] is SyncHandle
    assert typing.get_type_hints(ConnectorsService.apply)["return"] is ApplyReport
    assert typing.get_type_hints(ConnectorsService.apply)["plan"] is Plan
    assert SyncReport in typing.get_args(typing.get_type_hints(ConnectorsService.sync_and_wait)["return"])
    many = typing.get_type_hints(ConnectorsService.sync_many)["return"]
    assert typing.get_args(many) == (SyncOutcome,)
