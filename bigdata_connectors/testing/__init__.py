"""Testing helpers: an in-memory emulator of the Connectors API, and a pytest plugin.

    from bigdata_connectors.testing import Emulator

    async with Emulator() as emu, BigdataClient(emu.api_key, base_url=emu.base_url) as client:
        await client.connectors.create(type="email", label="x", config=None)

Enable the fixtures in a ``conftest.py`` with ``pytest_plugins = ["bigdata_connectors.testing.pytest_plugin"]``.
Run it as a server with ``python -m bigdata_connectors.testing --port 8787`` (or ``bigdata-connectors emulator``:
the same options, ``EMULATOR_OPTIONS``; ``serve`` runs it as they say).

Names load on first use (PEP 562): reading ``EMULATOR_OPTIONS`` (the CLI's ``--help``) does not load aiohttp.web.
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:
    from bigdata_connectors.testing._emulator import Emulator
    from bigdata_connectors.testing._faults import FAULT_KINDS, ROUTES, Fault, FaultKind, Route
    from bigdata_connectors.testing._options import OPTIONS as EMULATOR_OPTIONS
    from bigdata_connectors.testing._options import EmulatorOption
    from bigdata_connectors.testing._serve import StartError, serve
    from bigdata_connectors.testing._state import EmulatorState, Exchange

# Public name -> (module, name there).
_EXPORTS: dict[str, tuple[str, str]] = {
    "Emulator": ("bigdata_connectors.testing._emulator", "Emulator"),
    "FAULT_KINDS": ("bigdata_connectors.testing._faults", "FAULT_KINDS"),
    "ROUTES": ("bigdata_connectors.testing._faults", "ROUTES"),
    "Fault": ("bigdata_connectors.testing._faults", "Fault"),
    "FaultKind": ("bigdata_connectors.testing._faults", "FaultKind"),
    "Route": ("bigdata_connectors.testing._faults", "Route"),
    "EmulatorState": ("bigdata_connectors.testing._state", "EmulatorState"),
    "Exchange": ("bigdata_connectors.testing._state", "Exchange"),
    "EMULATOR_OPTIONS": ("bigdata_connectors.testing._options", "OPTIONS"),
    "EmulatorOption": ("bigdata_connectors.testing._options", "EmulatorOption"),
    "StartError": ("bigdata_connectors.testing._serve", "StartError"),
    "serve": ("bigdata_connectors.testing._serve", "serve"),
}

__all__ = [
    "EMULATOR_OPTIONS",
    "FAULT_KINDS",
    "ROUTES",
    "Emulator",
    "EmulatorOption",
    "EmulatorState",
    "Exchange",
    "Fault",
    "FaultKind",
    "Route",
    "StartError",
    "serve",
]


def __getattr__(name: str) -> _Any:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(_importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
