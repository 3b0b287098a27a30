"""The blocking client is a twin of the async one, checked by introspection: every public method of the async
client, its services, its sync handle and its raw-response objects has a blocking twin with the same parameters
(names, kinds, defaults, annotations), and every public attribute has one too. A method added to the async
client without its twin fails here."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import bigdata_connectors
import bigdata_connectors.blocking as blocking
from bigdata_connectors import BigdataClient as AsyncBigdataClient
from bigdata_connectors import ConnectorsService as AsyncConnectorsService
from bigdata_connectors import DocumentsService as AsyncDocumentsService
from bigdata_connectors import SyncHandle as AsyncSyncHandle

# Async name -> blocking name, where they differ by nature.
RENAMED = {"aclose": "close", "__aenter__": "__enter__", "__aexit__": "__exit__"}
# Annotations are compared as written, but for what is async by nature, and for the wing packages through which
# the async signatures name their types (``_syncs.SyncHandle``: resolved on first read, see DESIGN.md).
SPELLING = [
    ("AsyncIterator[", "Iterator["),
    ("_Unset", "Unset"),
    ("_syncs.", ""),
    ("_as_code.", ""),
    ("_generated.request_models.", ""),
    (
        "EmailConnectorConfig | InvestmentResearchConnectorConfig | SharepointConnectorConfig | Mapping[str, Any]",
        "CreateConfig",
    ),
]
CLASSES = [
    (AsyncBigdataClient, blocking.BigdataClient),
    (AsyncConnectorsService, blocking.ConnectorsService),
    (AsyncDocumentsService, blocking.DocumentsService),
    (AsyncSyncHandle, blocking.SyncHandle),
]


def _public(cls: type) -> dict[str, Any]:
    """Public members of ``cls`` as defined (functions, properties, slots), inherited ones included;
    ``__init__`` only for the client (the services and the handle are built by the client, not by users)."""
    names = [n for n in dir(cls) if not n.startswith("_") or n in ("__aenter__", "__aexit__")]
    if cls is AsyncBigdataClient:
        names.append("__init__")
    return {name: inspect.getattr_static(cls, name) for name in names}


def _spelt(annotation: object) -> object:
    if not isinstance(annotation, str):
        return annotation
    for old, new in SPELLING:
        annotation = annotation.replace(old, new)
    return annotation


def _parameters(function: Callable[..., Any]) -> list[tuple[str, Any, Any, Any]]:
    return [(p.name, p.kind, p.default, _spelt(p.annotation)) for p in inspect.signature(function).parameters.values()]


def _parameter_differences(async_function: Callable[..., Any], twin: Callable[..., Any]) -> list[str]:
    mine, theirs = _parameters(twin), _parameters(async_function)
    if [p[:2] for p in mine] != [p[:2] for p in theirs]:
        return [f"parameters {[p[:2] for p in mine]} != {[p[:2] for p in theirs]}"]
    found = []
    for (name, _, default, annotation), (_, _, expected_default, expected) in zip(mine, theirs, strict=True):
        if not (default is expected_default or default == expected_default):
            found.append(f"{name}: default {default!r} != {expected_default!r}")
        if annotation != expected:
            found.append(f"{name}: annotation {annotation!r} != {expected!r}")
    return found


def differences(async_cls: type, twin_cls: type) -> list[str]:
    """Where ``twin_cls`` is not a blocking twin of ``async_cls`` (empty when it is)."""
    found = []
    for name, member in _public(async_cls).items():
        where = f"{async_cls.__name__}.{name}"
        twin = inspect.getattr_static(twin_cls, RENAMED.get(name, name), None)
        if twin is None:
            found.append(f"{where} has no blocking twin")
        elif inspect.isfunction(member):
            if not inspect.isfunction(twin) or inspect.iscoroutinefunction(twin) or inspect.isasyncgenfunction(twin):
                found.append(f"{where}: the twin is not a plain function")
                continue
            found += [f"{where}: {d}" for d in _parameter_differences(member, twin)]
            returns, expected = twin.__annotations__.get("return"), _spelt(member.__annotations__.get("return"))
            if returns != expected:
                found.append(f"{where}: returns {returns!r}, not {expected!r}")
        elif isinstance(member, property | functools.cached_property):
            if not isinstance(twin, type(member)):
                found.append(f"{where}: the twin is not a {type(member).__name__}")
        elif not isinstance(twin, property):  # a slot of the handle (an attribute): a read-only property
            found.append(f"{where}: the twin is not a property")
    return found


@pytest.mark.parametrize(("async_cls", "twin_cls"), CLASSES, ids=[c.__name__ for c, _ in CLASSES])
def test_every_public_member_of_the_async_client_has_a_blocking_twin(async_cls: type, twin_cls: type) -> None:
    assert differences(async_cls, twin_cls) == []


def test_a_method_added_to_the_async_client_without_its_twin_fails_the_check() -> None:
    class Grown(AsyncConnectorsService):
        async def frobnicate(self, *, path: str = "x") -> None: ...

    class Changed:  # the async service's get, grown a parameter (and returning something else)
        async def get(self, connector_id: str, *, fresh: bool = False) -> Any: ...

    assert differences(Grown, blocking.ConnectorsService) == ["Grown.frobnicate has no blocking twin"]
    found = differences(Changed, blocking.ConnectorsService)
    assert len(found) == 2, found
    assert all(f.startswith("Changed.get: ") for f in found), found


def test_the_raw_response_objects_have_twins_with_the_same_parameters() -> None:
    async_client = AsyncBigdataClient("k", base_url="http://127.0.0.1:9")
    with blocking.BigdataClient("k", base_url="http://127.0.0.1:9") as client:
        services: list[tuple[Any, Any]] = [
            (async_client.connectors, client.connectors),
            (async_client.documents, client.documents),
        ]
        for async_service, service in services:
            async_raw, raw = async_service.with_raw_response, service.with_raw_response
            operations = {name: op for name, op in vars(async_raw).items() if not name.startswith("_")}
            assert operations  # the async raw objects hold their operations as instance attributes
            twins = {name for name in dir(raw) if not name.startswith("_")}
            assert twins == set(operations)
            for name, operation in operations.items():
                assert [p[:3] for p in _parameters(getattr(raw, name))] == [p[:3] for p in _parameters(operation)]
                returns = typing.get_type_hints(getattr(raw, name))["return"]
                assert typing.get_origin(returns) is bigdata_connectors.RawResponse, name


def test_the_blocking_client_adds_no_public_name_the_async_one_lacks() -> None:
    for async_cls, twin_cls in CLASSES:
        expected = {RENAMED.get(n, n) for n in _public(async_cls)} | {"__enter__", "__exit__"} - {"__init__"}
        extra = {n for n in dir(twin_cls) if not n.startswith("_")} - expected
        assert not extra, f"{twin_cls.__name__}: {extra}"


def test_the_client_attributes_are_the_blocking_services() -> None:
    async_client = AsyncBigdataClient("k", base_url="http://127.0.0.1:9")
    with blocking.BigdataClient("k", base_url="http://127.0.0.1:9") as client:
        public = {n for n in vars(async_client) if not n.startswith("_")}
        assert public == {"connectors", "documents"}
        assert isinstance(client.connectors, blocking.ConnectorsService)
        assert isinstance(client.documents, blocking.DocumentsService)
        assert {n for n in vars(client) if not n.startswith("_")} == public


def _public_callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    for name in blocking.__all__:
        cls = getattr(blocking, name)
        yield name, cls
        for member_name, member in vars(cls).items():
            if inspect.isfunction(member) and (not member_name.startswith("_") or member_name in ("__init__",)):
                yield f"{name}.{member_name}", member
            elif isinstance(member, property) and member.fget is not None:
                yield f"{name}.{member_name}", member.fget
            elif isinstance(member, functools.cached_property):
                yield f"{name}.{member_name}", member.func
    for base_name, member in vars(blocking.ConnectorsService.__mro__[1]).items():
        if inspect.isfunction(member) and not base_name.startswith("_"):
            yield f"ConnectorsService.{base_name}", member


@pytest.mark.parametrize(("where", "function"), list(_public_callables()), ids=[w for w, _ in _public_callables()])
def test_get_type_hints_works_on_every_public_callable(where: str, function: Callable[..., Any]) -> None:
    hints = typing.get_type_hints(function)
    assert hints or inspect.isclass(function), where


def test_the_package_exports_exactly_its_all() -> None:
    exported = {n for n in vars(blocking) if not n.startswith("_") and not inspect.ismodule(getattr(blocking, n))}
    assert exported == set(blocking.__all__)
    assert blocking.__all__ == sorted(blocking.__all__)
